/**
 * The audit trail (`audit_events`): what happened to a job, when, by whom, in one append-only
 * table. Every event's `details` has the shape its `event` names (AuditEvent), written here and
 * read back here. Recording is idempotent: an event is kept once per job and idempotency key, so a
 * retried activity or a repeated page request records nothing twice.
 */
import { randomUUID } from 'node:crypto';
import type { JobEvent } from '../job/events.js';
import type { Db } from './index.js';

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

/** The event of the channels a signer's notices go over (what the signing page tells them). */
export const NOTICE_CHANNELS_EVENT = 'NOTICE_CHANNELS';

/** A workflow event is recorded whole, with its sequence number: its type is the audit event. */
type WorkflowAuditEvent = {
  [T in JobEvent['type']]: { event: T; details: Extract<JobEvent, { type: T }> & { seq: number } };
}[JobEvent['type']];

/** Every audit event with the shape of its details. */
export type AuditEvent =
  | WorkflowAuditEvent
  | { event: typeof NOTICE_CHANNELS_EVENT; details: { signerId: string; email: boolean; sms: boolean } }
  /** Packaging without a signing setup (tests of the life cycle): the step only. */
  | { event: 'PACKAGING_RECORDED'; details: { note: string } }
  | { event: 'ARCHIVE_TIME_STAMP_RENEWED'; details: { renewal: number; sha256: string; xades: number } }
  | { event: 'HANDED_TO_ARCHIVE'; details: { deleteAfter: string } }
  /** The long-term archive deleted the documents after their 50 years (a workflow's has `type`). */
  | { event: 'DOCUMENTS_DELETED'; details: { by: 'long-term archive' } }
  /** A browser step; the page's own facts beside where the request came from. */
  | { event: PageEvent; details: Record<string, unknown> & RequestOrigin };

export type AuditEntry = AuditEvent & {
  /** Unique within the job: a second entry with the same key is left out. */
  idempotencyKey: string;
  at: Date | string;
  /** 'system', `signer:<id>` or `person:<hash>`. */
  actor: string;
};

/** A workflow event's entry, keyed by its sequence number. */
export function workflowAuditEntry(e: JobEvent & { seq: number }): AuditEntry {
  // TypeScript does not see that `e.type` and `e` vary together; the mapped type above says so.
  return {
    idempotencyKey: `workflow:${e.seq}`,
    at: e.at,
    actor: 'system',
    event: e.type,
    details: e,
  } as AuditEntry;
}

/** `signer:<id>` for a signer (the ceremony's actor). */
export const signerActor = (signerId: string) => `signer:${signerId}`;

/** Records the entries of one job, each once (by job and idempotency key); inside `db`'s transaction if any. */
export async function recordAuditEvents(db: Db, jobId: string, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      entries.map((e) => ({
        job_id: jobId,
        idempotency_key: e.idempotencyKey,
        at: e.at,
        actor: e.actor,
        event: e.event,
        details: JSON.stringify(e.details),
      })),
    )
    .onConflict((oc) => oc.columns(['job_id', 'idempotency_key']).doNothing())
    .execute();
}

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
  await recordAuditEvents(db, entry.jobId, [
    {
      idempotencyKey: `page:${entry.onceKey ?? randomUUID()}`,
      at: new Date(),
      actor: entry.actor,
      event: entry.event,
      details: { ...entry.details, ip: entry.origin.ip, userAgent: entry.origin.userAgent },
    },
  ]);
}

/** A recorded event as read back: its details decoded from the jsonb column. */
export interface RecordedAuditEvent {
  at: Date;
  actor: string;
  event: string;
  details: Record<string, unknown>;
}

/**
 * The jsonb column's value as an object. pg parses jsonb itself; a string is a value stored as a
 * JSON string (never written so today, kept for safety), anything else has no details.
 */
export function decodeAuditDetails(details: unknown): Record<string, unknown> {
  const value = typeof details === 'string' ? (JSON.parse(details) as unknown) : details;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A job's whole trail, oldest first (the order they were recorded in within one instant). */
export async function auditTrail(db: Db, jobId: string): Promise<RecordedAuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['at', 'actor', 'event', 'details'])
    .where('job_id', '=', jobId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: decodeAuditDetails(r.details) }));
}
