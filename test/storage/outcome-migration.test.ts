/**
 * Migration 0022_job_outcome on jobs recorded before it: a rejection's reason comes from the audit
 * trail's SIGNER_STATUS event, each ended job's outcome from its signers' statuses (the one rule,
 * src/rules/outcome.ts), and a running job's active group's activation from its GROUP_ACTIVATED.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, migrateToLatest } from '../../src/db/index.js';
import { databaseAt, workflowEvent } from '../helpers/legacy-rows.js';

let db: Db;
const jobs = {
  running: randomUUID(),
  rejected: randomUUID(),
  cancelled: randomUUID(),
  completed: randomUUID(),
};
const s = {
  running: randomUUID(),
  rejecter: randomUUID(),
  bystander: randomUUID(),
  cancelled: randomUUID(),
  signed: randomUUID(),
};

async function job(id: string, status: string, activeGroup: number | null) {
  await sql`insert into signature_jobs (id, org_number, flow, status, title, request, request_hash, created_at, updated_at, active_group)
    values (${id}, '987654325', 'portal', ${status}, 'Job', '{}', 'h', '2026-01-01T00:00:00Z', now(), ${activeGroup})`.execute(
    db,
  );
}
async function signer(id: string, jobId: string, position: number, status: string) {
  await sql`insert into signers (id, job_id, position, signing_order, signature_type, on_behalf_of, status, status_since)
    values (${id}, ${jobId}, ${position}, 0, 'AUTHENTICATED_SIGNATURE', 'SELF', ${status}, now())`.execute(
    db,
  );
}
const event = (jobId: string, seq: number, at: string, details: Record<string, unknown>) =>
  workflowEvent(db, jobId, seq, at, details);

beforeAll(async () => {
  db = await databaseAt('0021_link_code_channel');
  await job(jobs.running, 'IN_PROGRESS', 0);
  await signer(s.running, jobs.running, 0, 'WAITING');
  await event(jobs.running, 1, '2026-01-02T09:00:00Z', {
    type: 'GROUP_ACTIVATED',
    group: 0,
    deadline: '2026-02-01T09:00:00.000Z',
    signerIds: [s.running],
  });

  await job(jobs.rejected, 'FAILED', null);
  await signer(s.rejecter, jobs.rejected, 0, 'REJECTED');
  await signer(s.bystander, jobs.rejected, 1, 'NOT_APPLICABLE');
  await event(jobs.rejected, 1, '2026-01-03T00:00:00Z', {
    type: 'SIGNER_STATUS',
    signerId: s.rejecter,
    status: 'REJECTED',
    reason: 'The amount is wrong',
  });

  await job(jobs.cancelled, 'FAILED', null);
  await signer(s.cancelled, jobs.cancelled, 0, 'CANCELLED');
  await job(jobs.completed, 'COMPLETED_SUCCESSFULLY', null);
  await signer(s.signed, jobs.completed, 0, 'SIGNED');
  await migrateToLatest(db);
});
afterAll(async () => db?.destroy());

describe('migration 0022_job_outcome', () => {
  it('names each job’s end from its signers’ statuses', async () => {
    const rows = await db.selectFrom('signature_jobs').select(['id', 'outcome']).execute();
    const outcome = (id: string) => rows.find((r) => r.id === id)?.outcome;
    expect(outcome(jobs.running)).toBe('IN_PROGRESS');
    expect(outcome(jobs.rejected)).toBe('REJECTED');
    expect(outcome(jobs.cancelled)).toBe('CANCELLED');
    expect(outcome(jobs.completed)).toBe('COMPLETED');
  });

  it('takes the rejection’s reason from the audit trail, for the rejecter only', async () => {
    const rows = await db.selectFrom('signers').select(['id', 'rejection_reason']).execute();
    expect(rows.find((r) => r.id === s.rejecter)?.rejection_reason).toBe('The amount is wrong');
    expect(rows.find((r) => r.id === s.bystander)?.rejection_reason).toBeNull();
  });

  it('records when the running job’s active group was activated', async () => {
    const row = await db
      .selectFrom('signature_jobs')
      .select('group_activated_at')
      .where('id', '=', jobs.running)
      .executeTakeFirstOrThrow();
    expect(row.group_activated_at?.toISOString()).toBe('2026-01-02T09:00:00.000Z');
  });
});
