/**
 * The name a result download is given, after the job and the day it was made (JSON API and the
 * sender portal): `<title>-signed-<date>.pdf` for the PAdES, `<title>-signer-<n>-signed-<date>.xml`
 * for signer n's XAdES.
 */
import type { Db } from '../db/index.js';
import { artifactMadeAt, signerIdsOf } from '../db/job-reads.js';
import { contentDisposition, signatureObjectName, signedPdfName } from '../rules/download-name.js';

/** The Content-Disposition header of a result download. */
export async function resultDisposition(
  db: Db,
  job: { id: string; title: string },
  kind: 'PADES' | 'XADES',
  signerId = '',
): Promise<string> {
  const madeAt = (await artifactMadeAt(db, job.id, kind, signerId)) ?? new Date();
  if (kind === 'PADES') return contentDisposition('attachment', signedPdfName(job.title, madeAt));
  const number = (await signerIdsOf(db, job.id)).indexOf(signerId) + 1;
  return contentDisposition('attachment', signatureObjectName(job.title, number, madeAt));
}
