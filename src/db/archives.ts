/**
 * What the long-term archive (src/archive) writes to the job and audit tables: a job's entry into
 * the archive when it ordered long-term storage, its hand-over, and the deletion at its end.
 */
import { sql } from 'kysely';
import { recordAuditEvents } from './audit.js';
import type { Db } from './index.js';

/**
 * Enters the job into the archive with these dates if it ordered long-term storage (its stored
 * request's `longTermStorage`); a job already there is left as it is.
 */
export async function registerArchiveIfOrdered(
  db: Db,
  jobId: string,
  dates: { stored_at: Date; last_time_stamp_at: Date; next_renewal_at: Date; delete_after: Date },
): Promise<void> {
  await db
    .insertInto('long_term_archives')
    .columns(['job_id', 'org_number', 'stored_at', 'last_time_stamp_at', 'next_renewal_at', 'delete_after'])
    .expression((eb) =>
      eb
        .selectFrom('signature_jobs')
        .select([
          'id',
          'org_number',
          eb.val(dates.stored_at).as('stored_at'),
          eb.val(dates.last_time_stamp_at).as('last_time_stamp_at'),
          eb.val(dates.next_renewal_at).as('next_renewal_at'),
          eb.val(dates.delete_after).as('delete_after'),
        ])
        .where('id', '=', jobId)
        .where(sql<boolean>`coalesce((request->>'longTermStorage')::boolean, false)`),
    )
    .onConflict((oc) => oc.column('job_id').doNothing())
    .execute();
}

/** The job is kept until the archive's end; the trail says so (once). */
export async function recordHandOverToArchive(db: Db, jobId: string, deleteAfter: Date, now: Date) {
  await db
    .updateTable('signature_jobs')
    .set({ retention_until: deleteAfter })
    .where('id', '=', jobId)
    .execute();
  await recordAuditEvents(db, jobId, [
    {
      idempotencyKey: 'archive-hand-over',
      at: now,
      actor: 'system',
      event: 'HANDED_TO_ARCHIVE',
      details: { deleteAfter: deleteAfter.toISOString() },
    },
  ]);
}

/** The archive deleted the job's documents (the first time only); the trail says so (once). */
export async function recordArchiveDeletion(db: Db, jobId: string, now: Date) {
  await db
    .updateTable('signature_jobs')
    .set({ documents_deleted_at: now })
    .where('id', '=', jobId)
    .where('documents_deleted_at', 'is', null)
    .execute();
  await recordAuditEvents(db, jobId, [
    {
      idempotencyKey: 'archive-deletion',
      at: now,
      actor: 'system',
      event: 'DOCUMENTS_DELETED',
      details: { by: 'long-term archive' },
    },
  ]);
}
