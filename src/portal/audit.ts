/**
 * The browser's steps in the audit trail: each ceremony and sender-portal action, with when, the
 * IP address and user agent, and the digests of the documents concerned. Who is a signer id or a
 * hash of the identity number, never the number itself (the audit summary is printed in the
 * signed PDF and read by operators).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import { pidHash } from '../eid/person-keys.js';

/** Where a request came from, as the page layer saw it. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
}

export type PageEvent =
  | 'CEREMONY_OPENED'
  | 'LINK_CODE_SENT'
  | 'LINK_CODE_ACCEPTED'
  | 'LINK_CODE_REJECTED'
  | 'LINK_ACCEPTED_WITHOUT_CODE'
  /** Written before wrong codes delayed instead of blocking; kept for the trails of old jobs. */
  | 'SIGNER_BLOCKED'
  | 'SIGNER_LOGGED_IN'
  | 'LOGIN_LEVEL_TOO_LOW'
  | 'LOGIN_IDENTITY_MISMATCH'
  | 'DOCUMENT_VIEWED'
  | 'SIGNED_IN_BROWSER'
  /** An advanced signature sent to a remote signing service for the person's approval, or failed there. */
  | 'REMOTE_SIGNING_STARTED'
  | 'REMOTE_SIGNING_FAILED'
  | 'REJECTED_IN_BROWSER'
  | 'SIGNED_DOCUMENT_DOWNLOADED'
  | 'SENDER_PORTAL_JOB_CREATED'
  | 'SENDER_PORTAL_JOB_CANCELLED'
  | 'SENDER_PORTAL_DEADLINE_EXTENDED';

/** `signer:<id>` for a signer; `person:<hash>` for a sender's staff member. */
export const signerActor = (signerId: string) => `signer:${signerId}`;
export const personActor = (pid: string) => `person:${pidHash(pid)}`;

/**
 * The once-key of a document's DOCUMENT_VIEWED: one per signer, browser session and document (the
 * document id last, where `readViewedDocumentIds` reads it back).
 */
export const documentViewedKey = (signerId: string, session: string, documentId: string) =>
  `viewed:${signerId}:${session}:${documentId}`;

export async function recordPageEvent(
  db: Db,
  entry: {
    jobId: string;
    actor: string;
    event: PageEvent;
    origin: RequestOrigin;
    details?: Record<string, unknown>;
    /** Records the event once for this key: a repeat (even a concurrent one) is left out. */
    onceKey?: string;
  },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      job_id: entry.jobId,
      idempotency_key: `page:${entry.onceKey ?? randomUUID()}`,
      at: new Date(),
      actor: entry.actor,
      event: entry.event,
      details: JSON.stringify({ ...entry.details, ip: entry.origin.ip, userAgent: entry.origin.userAgent }),
    })
    .onConflict((oc) => oc.columns(['job_id', 'idempotency_key']).doNothing())
    .execute();
}

/** The digests of a job's documents, as they go into every ceremony event. */
export async function documentDigests(db: Db, jobId: string) {
  return db
    .selectFrom('documents')
    .select(['file_name as fileName', 'sha256'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
}
