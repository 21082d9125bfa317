/** The pages' paths, built in one place so links and routes agree. */
import { ceremonyPath } from '../../src/portal/ceremony-paths.js';

export { CEREMONY_BASE, ceremonyPath } from '../../src/portal/ceremony-paths.js';
export const documentPath = (jobId: string, signerId: string, documentId: string) =>
  `${ceremonyPath(jobId, signerId)}/documents/${documentId}`;
export const signedPdfPath = (jobId: string, signerId: string) =>
  `${ceremonyPath(jobId, signerId)}/signed.pdf`;

/** The job and signer of a ceremony path, if `path` is one. */
export function parseCeremonyPath(path: string): { jobId: string; signerId: string } | undefined {
  const m = /^\/sign\/([0-9a-f-]{36})\/([0-9a-f-]{36})(?:[/?]|$)/.exec(path);
  return m ? { jobId: m[1]!, signerId: m[2]! } : undefined;
}

export const SENDER_BASE = '/sender';
export const senderPath = (org: string) => `${SENDER_BASE}/${org}`;
export const senderJobPath = (org: string, jobId: string) => `${senderPath(org)}/jobs/${jobId}`;

export const PORTAL_PATH = '/portal';
/** The client script that renders PDF pages with pdf.js. */
export const DOCUMENT_VIEWER_PATH = '/assets/document-viewer.js';
/** The waiting signer page's script that reloads it when the job moves on. */
export const PROGRESS_WATCH_PATH = '/assets/progress-watch.js';
export const progressStatePath = (jobId: string, signerId: string) =>
  `${ceremonyPath(jobId, signerId)}/progress`;
export const PDFJS_PATH = '/assets/pdfjs/pdf.min.mjs';
export const PDFJS_WORKER_PATH = '/assets/pdfjs/pdf.worker.min.mjs';
export { REMOTE_SIGNING_CALLBACK_PATH } from '../../src/eid/csc/paths.js';
