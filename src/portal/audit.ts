/**
 * The browser's steps in the audit trail: each ceremony and sender-portal action, with when, the
 * IP address and user agent, and the digests of the documents concerned. Who is a signer id or a
 * hash of the identity number, never the number itself (the audit summary is printed in the
 * signed PDF and read by operators).
 */
import type { Db } from '../db/index.js';
import { pidHash } from '../eid/person-keys.js';

export {
  type PageEvent,
  type RequestOrigin,
  recordPageEvent,
  signerActor,
} from '../db/audit.js';

/** `person:<hash>` for a sender's staff member (`signer:<id>` for a signer: signerActor). */
export const personActor = (pid: string) => `person:${pidHash(pid)}`;

/**
 * The once-key of a document's DOCUMENT_VIEWED: one per signer, browser session and document (the
 * document id last, where `readViewedDocumentIds` reads it back).
 */
export const documentViewedKey = (signerId: string, session: string, documentId: string) =>
  `viewed:${signerId}:${session}:${documentId}`;

/** The digests of a job's documents, as they go into every ceremony event. */
export async function documentDigests(db: Db, jobId: string) {
  return db
    .selectFrom('documents')
    .select(['file_name as fileName', 'sha256'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
}
