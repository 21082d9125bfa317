import { type Kysely, sql } from 'kysely';
import type { JobStatus, SignerStatus } from '../../job/model.js';
import { jobOutcome } from '../../rules/outcome.js';

/**
 * What the sender is told of a job's end and its deadline, in the read model:
 * - `signers.rejection_reason`: the reason a signer gave when rejecting (until now only in the
 *   audit trail's SIGNER_STATUS event);
 * - `signature_jobs.outcome`: how the job ended, named apart (src/rules/outcome.ts), so the
 *   sender's job list can be filtered by it;
 * - `signature_jobs.group_activated_at`: when the group that may sign now was activated, the
 *   moment a new `availableSeconds` counts from.
 * Existing jobs get all three from what is recorded: the audit trail's workflow events and the
 * signers' statuses.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signers').addColumn('rejection_reason', 'text').execute();
  await db.schema
    .alterTable('signature_jobs')
    .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('IN_PROGRESS'))
    .addColumn('group_activated_at', 'timestamptz')
    .execute();

  await sql`
    update signers s set rejection_reason = a.details->>'reason'
    from audit_events a
    where a.job_id = s.job_id and a.event = 'SIGNER_STATUS'
      and a.details->>'signerId' = s.id and a.details->>'status' = 'REJECTED'
      and a.details ? 'reason'`.execute(db);
  await sql`
    update signature_jobs j set group_activated_at = (
      select max(a.at) from audit_events a where a.job_id = j.id and a.event = 'GROUP_ACTIVATED')
    where j.active_group is not null`.execute(db);

  const ended = await sql<{ id: string; status: JobStatus; signerStatus: SignerStatus }>`
    select j.id, j.status, s.status as "signerStatus"
    from signature_jobs j join signers s on s.job_id = j.id
    where j.status <> 'IN_PROGRESS'`.execute(db);
  const jobs = new Map<string, { status: JobStatus; signers: { status: SignerStatus }[] }>();
  for (const r of ended.rows) {
    const j = jobs.get(r.id) ?? { status: r.status, signers: [] };
    j.signers.push({ status: r.signerStatus });
    jobs.set(r.id, j);
  }
  for (const [id, j] of jobs) {
    await sql`update signature_jobs set outcome = ${jobOutcome(j)} where id = ${id}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signers').dropColumn('rejection_reason').execute();
  await db.schema
    .alterTable('signature_jobs')
    .dropColumn('outcome')
    .dropColumn('group_activated_at')
    .execute();
}
