/**
 * The store keys of a job's files, derived from their database rows so that no row needs a
 * column for them. Everything of one job sits under two folders, which deletion removes whole.
 *
 * An artifact's key ends with its SHA-256: a retried packaging or signing makes different bytes
 * (ECDSA signatures are randomised) that must not replace the ones whose digest the row already
 * recorded, so each attempt writes under its own key and the row decides which one counts.
 * Migration 0008_document_store builds the same keys in SQL; keep the two in step.
 */

export const documentsFolder = (jobId: string) => `documents/${jobId}`;
export const artifactsFolder = (jobId: string) => `artifacts/${jobId}`;

export function documentKey(jobId: string, documentId: string): string {
  return `${documentsFolder(jobId)}/${documentId}`;
}

export function artifactKey(a: {
  jobId: string;
  kind: 'PADES' | 'XADES';
  /** '' for the job's PAdES. */
  signerId: string;
  sha256: string;
}): string {
  const who = a.signerId === '' ? '' : `-${a.signerId}`;
  return `${artifactsFolder(a.jobId)}/${a.kind.toLowerCase()}${who}-${a.sha256}`;
}
