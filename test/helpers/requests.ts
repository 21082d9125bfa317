/** Building create requests (multipart) for API tests. */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { testPopulation } from '../../src/notifications/test-population.js';

export async function samplePdf(text = 'Employment contract'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText(text, { x: 72, y: 770, size: 18, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}

/** Kari Nordmann of the test population: found in the register, with e-mail, mobile and mailbox. */
export const KARI_PID = testPopulation[0]!.pid;

export function portalJob(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Employment contract',
    reference: 'case-2026-17',
    documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
    // A person of the development contact register: a public sender's SELF signer is reached there.
    signers: [{ personalIdentificationNumber: KARI_PID, order: 0 }],
    ...overrides,
  };
}

/** A multipart body: the `job` part as JSON and one file part per entry of `files`. */
export function createForm(job: unknown, files: Record<string, Uint8Array | string>): FormData {
  const form = new FormData();
  form.append(
    'job',
    new Blob([typeof job === 'string' ? job : JSON.stringify(job)], { type: 'application/json' }),
  );
  for (const [name, content] of Object.entries(files)) {
    const type = name.endsWith('.pdf') ? 'application/pdf' : 'text/plain';
    form.append(name, new Blob([content as BlobPart], { type }), name);
  }
  return form;
}
