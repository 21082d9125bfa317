/**
 * Migration 0012_job_read_model on jobs recorded before it: what reads need and the workflow
 * recorded only in the audit trail (activation, the active group and its extended deadline, the
 * failure reason, the deletion) is filled in from there, so running jobs read right at once.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, migrateToLatest } from '../../src/db/index.js';
import { databaseAt, workflowEvent } from '../helpers/legacy-rows.js';

let db: Db;
const running = randomUUID();
const failed = randomUUID();
const signers = { g0: randomUUID(), g1: randomUUID(), other: randomUUID() };

async function job(id: string, status: string, updatedAt: string) {
  await sql`insert into signature_jobs (id, org_number, flow, status, title, request, request_hash, created_at, updated_at)
    values (${id}, '987654325', 'portal', ${status}, 'Job', '{}', 'h', '2026-01-01T00:00:00Z', ${updatedAt})`.execute(
    db,
  );
}
async function signer(id: string, jobId: string, order: number) {
  await sql`insert into signers (id, job_id, position, signing_order, signature_type, on_behalf_of, status, status_since)
    values (${id}, ${jobId}, ${order}, ${order}, 'AUTHENTICATED_SIGNATURE', 'SELF', 'WAITING', now())`.execute(
    db,
  );
}
const event = (jobId: string, seq: number, at: string, details: Record<string, unknown>) =>
  workflowEvent(db, jobId, seq, at, details);

beforeAll(async () => {
  db = await databaseAt('0011_workflow_started');
  // A running job: group 0 signed, group 1 active with its deadline extended once.
  await job(running, 'IN_PROGRESS', '2026-01-03T00:00:00Z');
  await signer(signers.g0, running, 0);
  await signer(signers.g1, running, 1);
  await event(running, 1, '2026-01-01T00:00:01Z', { type: 'JOB_ACTIVATED' });
  await event(running, 2, '2026-01-01T00:00:02Z', {
    type: 'GROUP_ACTIVATED',
    group: 0,
    deadline: '2026-01-31T00:00:00.000Z',
    signerIds: [signers.g0],
  });
  await event(running, 3, '2026-01-02T00:00:00Z', {
    type: 'GROUP_ACTIVATED',
    group: 1,
    deadline: '2026-02-01T00:00:00.000Z',
    signerIds: [signers.g1],
  });
  await event(running, 4, '2026-01-03T00:00:00Z', {
    type: 'DEADLINE_EXTENDED',
    group: 1,
    deadline: '2026-03-01T00:00:00.000Z',
  });
  // A cancelled job.
  await job(failed, 'FAILED', '2026-01-05T00:00:00Z');
  await signer(signers.other, failed, 0);
  await event(failed, 1, '2026-01-05T00:00:00Z', {
    type: 'JOB_STATUS',
    status: 'FAILED',
    reason: 'CANCELLED',
  });
  await migrateToLatest(db);
});
afterAll(async () => db?.destroy());

describe('migration 0012_job_read_model', () => {
  it('fills a running job in from its audit trail', async () => {
    const row = await db
      .selectFrom('signature_jobs')
      .selectAll()
      .where('id', '=', running)
      .executeTakeFirstOrThrow();
    expect(row.activated_at?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(row.active_group).toBe(1);
    expect(row.active_signing_order).toBe(1);
    expect(row.deadline?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(row.status_since?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(row.retention_until).toBeNull();
  });

  it('fills an ended job in: its reason, status time and retention', async () => {
    const row = await db
      .selectFrom('signature_jobs')
      .selectAll()
      .where('id', '=', failed)
      .executeTakeFirstOrThrow();
    expect(row.failure_reason).toBe('CANCELLED');
    expect(row.status_since?.toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(row.retention_until?.toISOString()).toBe('2026-02-14T00:00:00.000Z');
    expect(row.active_group).toBeNull();
  });
});
