import { type Kysely, sql } from 'kysely';

/**
 * PostgreSQL becomes the one read model of a job: everything a read shows (the job status's time,
 * activation, the active group and its deadline, why the job failed, how long its documents are
 * kept, when they went) is recorded by the workflow's recording activity, so no read needs to ask
 * a workflow (and reads work with every worker stopped).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signature_jobs')
    .addColumn('status_since', 'timestamptz')
    .addColumn('activated_at', 'timestamptz')
    // Index into the job's groups, and the signing order of that group's signers (0 for direct).
    .addColumn('active_group', 'integer')
    .addColumn('active_signing_order', 'integer')
    .addColumn('deadline', 'timestamptz')
    .addColumn('failure_reason', 'text')
    .addColumn('retention_until', 'timestamptz')
    .addColumn('documents_deleted_at', 'timestamptz')
    .execute();

  // Jobs recorded before this migration: the same facts from their audit trail (the recorded
  // workflow events), so a running job shows its deadline at once.
  await sql`
    update signature_jobs j set status_since = case when j.status = 'IN_PROGRESS' then j.created_at else j.updated_at end`.execute(
    db,
  );
  await sql`
    update signature_jobs j set activated_at = a.at
    from (select job_id, min(at) as at from audit_events where event = 'JOB_ACTIVATED' group by job_id) a
    where a.job_id = j.id`.execute(db);
  await sql`
    update signature_jobs j set
      active_group = (g.details->>'group')::int,
      active_signing_order = (select s.signing_order from signers s where s.id = g.details->'signerIds'->>0),
      deadline = coalesce(
        (select (e.details->>'deadline')::timestamptz from audit_events e
          where e.job_id = j.id and e.event = 'DEADLINE_EXTENDED' and e.details->>'group' = g.details->>'group'
          order by e.at desc limit 1),
        (g.details->>'deadline')::timestamptz)
    from (select distinct on (job_id) job_id, details from audit_events
          where event = 'GROUP_ACTIVATED' order by job_id, at desc) g
    where g.job_id = j.id and j.status = 'IN_PROGRESS'`.execute(db);
  await sql`
    update signature_jobs j set failure_reason = e.details->>'reason'
    from audit_events e
    where e.job_id = j.id and e.event = 'JOB_STATUS' and e.details->>'reason' is not null`.execute(db);
  await sql`
    update signature_jobs j set documents_deleted_at = e.at
    from audit_events e where e.job_id = j.id and e.event = 'DOCUMENTS_DELETED'`.execute(db);
  await sql`
    update signature_jobs j set retention_until = j.updated_at + interval '40 days'
    where j.status <> 'IN_PROGRESS' and j.documents_deleted_at is null
      and not coalesce((j.request->>'longTermStorage')::boolean, false)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signature_jobs')
    .dropColumn('status_since')
    .dropColumn('activated_at')
    .dropColumn('active_group')
    .dropColumn('active_signing_order')
    .dropColumn('deadline')
    .dropColumn('failure_reason')
    .dropColumn('retention_until')
    .dropColumn('documents_deleted_at')
    .execute();
}
