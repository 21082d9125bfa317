/**
 * An input that claims PDF/A but is not (the fixture without an output intent) is packaged as plain
 * PDF 1.7, and the job says so: its JSON view and the sender portal's job page name the document
 * and why, as the packaging activity recorded it. A real PDF/A input says nothing of the kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../src/portal/roles.js';
import { pdfA2b } from '../fixtures/signing/pdfs.js';
import { createJob, devAct, eventually, follow, type JobBody, loggedIn, pid } from '../helpers/api/http.js';
import { KARI_PID, portalJob } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => stack?.stop());

type PdfANotKept = { title: string; fileName: string; problems: string[] }[];
const documents = [{ title: 'Arkivkopi', fileName: 'arkiv.pdf', mimeType: 'application/pdf' }];
const NO_INTENT = 'it has no PDF/A output intent (GTS_PDFA1)';

/** Signs the job's one signer and waits for the signed PDF. */
async function signAndPackage(job: JobBody): Promise<Buffer> {
  expect((await devAct(stack, job.id, job.signers[0]!.id, 'sign', { authenticationLevel: 4 })).status).toBe(
    200,
  );
  const pades = await eventually(
    async () => {
      const res = await follow(stack, `${job.links.self}/pades`);
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    },
    (r) => r.status === 200,
  );
  return pades.bytes;
}

const view = async (job: JobBody) =>
  (await (await follow(stack, job.links.self)).json()) as JobBody & { pdfANotKept?: PdfANotKept };

describe('an input that claims PDF/A but is not', () => {
  it('is packaged as plain PDF 1.7, and the job view and the sender portal say why', async () => {
    const job = await createJob(
      stack,
      'portal',
      portalJob({ title: 'Claims PDF/A', documents, signers: [{ personalIdentificationNumber: KARI_PID }] }),
      { 'arkiv.pdf': await pdfA2b('no-output-intent') },
    );
    // Before packaging nothing is known about the claim.
    expect((await view(job)).pdfANotKept).toBeUndefined();
    const pades = await signAndPackage(job);
    expect(pades.subarray(0, 8).toString()).toBe('%PDF-1.7');
    expect(pades.includes('pdfaid:part')).toBe(false);

    expect((await view(job)).pdfANotKept).toEqual([
      { title: 'Arkivkopi', fileName: 'arkiv.pdf', problems: [NO_INTENT] },
    ]);

    const staff = pid(8);
    await grantRole(stack.t.db, { pid: staff, org: ORG, role: 'SENDER' });
    const sender = await loggedIn(stack, staff, `/sender/${ORG}`);
    const page = await sender(`/sender/${ORG}/jobs/${job.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Ikke arkivformat (PDF/A)');
    const item = html.slice(html.indexOf('data-file="arkiv.pdf"')).split('</li>')[0]!;
    expect(item).toContain('Arkivkopi');
    expect(item).toContain(NO_INTENT);
  }, 120_000);

  it('a true PDF/A input keeps its claim and the view is silent about it', async () => {
    const job = await createJob(
      stack,
      'portal',
      portalJob({ title: 'Is PDF/A', documents, signers: [{ personalIdentificationNumber: KARI_PID }] }),
      { 'arkiv.pdf': await pdfA2b() },
    );
    const pades = await signAndPackage(job);
    expect(pades.includes('pdfaid:part')).toBe(true);
    expect((await view(job)).pdfANotKept).toBeUndefined();
  }, 120_000);
});
