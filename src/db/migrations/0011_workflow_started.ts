import { type Kysely, sql } from 'kysely';

/**
 * A job is stored first and its workflow started second. `workflow_started_at` marks the second
 * step done, so a job whose creator died in between (an API process killed) is found and started
 * by a retry with its Idempotency-Key or by the stranded-job sweep, instead of waiting for ever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signature_jobs').addColumn('workflow_started_at', 'timestamptz').execute();
  // Every job stored before this migration got its workflow (or was removed when the start failed).
  await sql`update signature_jobs set workflow_started_at = created_at`.execute(db);
  await sql`create index signature_jobs_not_started on signature_jobs (created_at) where workflow_started_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signature_jobs').dropColumn('workflow_started_at').execute();
}
