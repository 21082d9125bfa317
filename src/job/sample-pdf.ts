/**
 * A one-page PDF to try the service with (development mode only): the README's API walkthrough
 * fetches it from the running service, so it needs no PDF library or file of its own.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function samplePdf(title = 'Employment contract'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText(title, { x: 72, y: 770, size: 18, font });
  page.drawText('A sample document from the development service, to sign with a test identity.', {
    x: 72,
    y: 740,
    size: 11,
    font,
  });
  return doc.save();
}
