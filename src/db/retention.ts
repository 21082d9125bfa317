/**
 * The job rows the retention sweep reads and writes (docs/workflow.md, "The retention
 * schedule"): jobs whose retention deadline has passed, jobs whose documents go within the
 * warning's lead time, and the mark that a job's documents are gone. The deadline itself is
 * written by the recording activity when the job ends (`signature_jobs.retention_until`).
 */
import type { Db } from './index.js';

/** Ended jobs whose documents are kept no longer at `now` and are not deleted yet, oldest first. */
export async function jobsPastRetention(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('signature_jobs')
    .select('id')
    .where('status', '!=', 'IN_PROGRESS')
    .where('documents_deleted_at', 'is', null)
    .where('retention_until', '<=', now)
    .orderBy('retention_until')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Ended jobs whose documents go between `now` and `until`, whose results nobody has fetched and
 * whose sender has not been warned yet (the warning is a notice with its own key).
 */
export async function jobsToWarnOfDeletion(
  db: Db,
  now: Date,
  until: Date,
  noticeKey: string,
  limit: number,
): Promise<{ jobId: string; retentionUntil: Date }[]> {
  const rows = await db
    .selectFrom('signature_jobs as j')
    .innerJoin('organisations as o', 'o.org_number', 'j.org_number')
    .select(['j.id', 'j.retention_until'])
    // Only senders who asked for notices: the others would come back in every sweep.
    .where('o.notice_email', 'is not', null)
    .where('j.status', '!=', 'IN_PROGRESS')
    .where('j.documents_deleted_at', 'is', null)
    .where('j.results_downloaded_at', 'is', null)
    .where('j.retention_until', '>', now)
    .where('j.retention_until', '<=', until)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notices as n')
            .select('n.id')
            .whereRef('n.job_id', '=', 'j.id')
            .where('n.notice_key', '=', noticeKey),
        ),
      ),
    )
    .orderBy('j.retention_until')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ jobId: r.id, retentionUntil: r.retention_until! }));
}

/** The job's status and whether its documents are still there (null: no such job). */
export async function documentsState(
  db: Db,
  jobId: string,
): Promise<{ ended: boolean; deleted: boolean } | null> {
  const row = await db
    .selectFrom('signature_jobs')
    .select(['status', 'documents_deleted_at'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  return row ? { ended: row.status !== 'IN_PROGRESS', deleted: row.documents_deleted_at !== null } : null;
}

/**
 * Marks an ended job's documents deleted, with an audit event saying by whom (`retention` or
 * `sender`). Once only: a repeat (a retried activity) changes nothing. False when already marked.
 */
export async function markDocumentsDeleted(
  db: Db,
  jobId: string,
  at: Date,
  by: 'retention' | 'sender',
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const marked = await tx
      .updateTable('signature_jobs')
      .set({ documents_deleted_at: at })
      .where('id', '=', jobId)
      .where('documents_deleted_at', 'is', null)
      .executeTakeFirst();
    if (marked.numUpdatedRows === 0n) return false;
    await tx
      .insertInto('audit_events')
      .values({
        job_id: jobId,
        idempotency_key: 'documents-deleted',
        at,
        actor: 'system',
        event: 'DOCUMENTS_DELETED',
        details: JSON.stringify({ by }),
      })
      .onConflict((oc) => oc.columns(['job_id', 'idempotency_key']).doNothing())
      .execute();
    return true;
  });
}

/**
 * Jobs with a mailbox offer still PENDING: a signer without a digital mailbox who may create one
 * within 7 days. The sweep asks again; an offer past its end is settled as EXPIRED by that ask.
 */
export async function jobsWithOpenMailboxOffers(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('mailbox_forwards')
    .select('job_id')
    .where('status', '=', 'PENDING')
    .groupBy('job_id')
    .orderBy(({ fn }) => fn.min('offered_until'))
    .limit(limit)
    .execute();
  return rows.map((r) => r.job_id);
}
