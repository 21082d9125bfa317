/**
 * The life of a signature job under the time-skipping test server: every rule of docs/domain.md's
 * "A signature job", "How a job ends" and the notice schedule, with real activities writing to a
 * real PostgreSQL. Days pass in milliseconds; `env.sleep` moves the server's clock.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureJobState } from '../../src/job/model.js';
import { deleteJobDocuments } from '../../src/services/delete-documents.js';
import { PostgresDocumentStore } from '../../src/storage/index.js';
import { createSignatureWorker } from '../../worker/worker.js';
import {
  cancelUpdate,
  extendDeadlineUpdate,
  type JobResult,
  rejectUpdate,
  signerFailedUpdate,
  signUpdate,
  statusQuery,
} from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { recording, saveHistory } from '../helpers/histories.js';
import { startTestJob, type TestJobSpec } from '../helpers/jobs.js';
import { startTestNotifications } from '../helpers/notifications.js';
import { resultInPlace, runRetentionSweep, timeSkippingEnv, workflowBundle } from '../helpers/temporal.js';

const DAY = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let notices: Awaited<ReturnType<typeof startTestNotifications>>;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `tq-${randomUUID()}`;

beforeAll(async () => {
  [env, t] = await Promise.all([timeSkippingEnv(), createTestDatabase()]);
  notices = await startTestNotifications(t.db);
  worker = await createSignatureWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: workerDeps(),
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await notices?.stop();
  await t?.db.destroy();
});

const workerDeps = () => ({
  db: t.db,
  // startTestJob stores the documents in the same (default) store.
  storage: new PostgresDocumentStore(t.db),
  notifications: notices.adapters,
  publicUrl: 'http://localhost:3000',
});

// The jobs of the running test, whose histories are saved when recording.
let jobsOfTest: { handle: Awaited<ReturnType<typeof startTestJob>>['handle'] }[] = [];
afterEach(async (ctx) => {
  if (recording && ctx.task.result?.state === 'pass') {
    for (const [i, job] of jobsOfTest.entries()) {
      await saveHistory(job.handle, `${ctx.task.name}${i > 0 ? `-${i}` : ''}`);
    }
  }
  jobsOfTest = [];
});

async function start(spec: TestJobSpec) {
  const job = await startTestJob(t.db, env.client, taskQueue, spec);
  jobsOfTest.push(job);
  const state = () => job.handle.query(statusQuery);
  const signer = async (i: number) => (await state()).signers.find((s) => s.id === job.signerIds[i])!;
  const sign = (i: number) =>
    job.handle.executeUpdate(signUpdate, { args: [{ signerId: job.signerIds[i]!, authenticationLevel: 4 }] });
  const reject = (i: number, reason?: string) =>
    job.handle.executeUpdate(rejectUpdate, {
      args: [{ signerId: job.signerIds[i]!, ...(reason ? { reason } : {}) }],
    });
  // Let the workflow take its first steps (recording, activation) before the test acts.
  await settle();
  return { ...job, state, signer, sign, reject };
}

/** Lets running activities and workflow tasks finish; a minute of server time passes. */
async function settle(ms = 60_000) {
  await env.sleep(ms);
}

/** The refusal type of an update the workflow's validator rejected. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return (err.cause as { type?: string })?.type ?? 'UNTYPED';
    // The job has ended and so has its workflow: the service answers JOB_ENDED (runUpdate).
    if (err instanceof WorkflowNotFoundError) return 'JOB_ENDED';
    throw err;
  }
  throw new Error('the update was accepted');
}

async function noticesOf(jobId: string) {
  return t.db
    .selectFrom('notices')
    .select(['signer_id', 'channel', 'kind', 'planned_at'])
    .where('job_id', '=', jobId)
    .orderBy('planned_at')
    .orderBy('signer_id')
    .execute();
}

const statuses = (s: SignatureJobState) => s.signers.map((x) => x.status);

describe('activation', () => {
  it('waits for an activation time in the future', async () => {
    const now = await env.currentTimeMs();
    const job = await start({ signers: [{}], activationTime: new Date(now + 2 * DAY) });
    expect((await job.state()).activated).toBe(false);
    expect(await refusal(job.sign(0))).toBe('JOB_NOT_ACTIVE');
    expect(await noticesOf(job.jobId)).toHaveLength(0);

    await env.sleep(2 * DAY);
    const s = await job.state();
    expect(s.activated).toBe(true);
    expect(Date.parse(s.groups[0]!.activatedAt!)).toBeGreaterThanOrEqual(now + 2 * DAY);
    expect((await noticesOf(job.jobId)).map((n) => n.kind)).toEqual(['ACTIVATION']);
    await job.sign(0);
    await settle();
    expect((await job.state()).status).toBe('COMPLETED_SUCCESSFULLY');
  });

  it('activates at once when the activation time is in the past', async () => {
    const now = await env.currentTimeMs();
    const job = await start({ signers: [{}], activationTime: new Date(now - DAY) });
    const s = await job.state();
    expect(s.activated).toBe(true);
    expect(Date.parse(s.groups[0]!.activatedAt!)).toBeLessThan(now + 2 * 60_000);
  });
});

describe('groups', () => {
  it('two parallel signers: the job completes only when both have signed', async () => {
    const job = await start({ signers: [{}, {}] });
    await job.sign(1);
    await settle();
    expect((await job.state()).status).toBe('IN_PROGRESS');
    expect(statuses(await job.state())).toEqual(['WAITING', 'SIGNED']);
    await job.sign(0);
    await settle();
    const s = await job.state();
    expect(s.status).toBe('COMPLETED_SUCCESSFULLY');
    expect(statuses(s)).toEqual(['SIGNED', 'SIGNED']);
    // The database mirrors the workflow and the sender's queue has the completion.
    const row = await t.db
      .selectFrom('signature_jobs')
      .select('status')
      .where('id', '=', job.jobId)
      .executeTakeFirst();
    expect(row?.status).toBe('COMPLETED_SUCCESSFULLY');
    const queue = await t.db
      .selectFrom('status_changes')
      .select('job_status')
      .where('job_id', '=', job.jobId)
      .execute();
    expect(queue.map((q) => q.job_status)).toContain('COMPLETED_SUCCESSFULLY');
  });

  it("three chained groups: each group's lifetime runs from its own activation (7 days; group 0 on day 3 → group 1 until day 10)", async () => {
    const t0 = await env.currentTimeMs();
    const job = await start({
      signers: [{ order: 0 }, { order: 1 }, { order: 2 }],
      availableSeconds: 7 * 24 * 3600,
    });
    expect(await refusal(job.sign(1))).toBe('NOT_SIGNERS_TURN');

    await env.sleep(3 * DAY - 60_000); // day 3
    await job.sign(0);
    await settle();
    const s = await job.state();
    expect(s.activeGroup).toBe(1);
    const activated1 = Date.parse(s.groups[1]!.activatedAt!);
    expect(activated1 - t0).toBeGreaterThanOrEqual(3 * DAY);
    expect(Date.parse(s.groups[1]!.deadline!) - activated1).toBe(7 * DAY);

    // Just before group 1's deadline (day 10) it may still sign; group 2 then gets its own 7 days.
    const untilDeadline = Date.parse(s.groups[1]!.deadline!) - (await env.currentTimeMs());
    await env.sleep(untilDeadline - 1000);
    await job.sign(1);
    await settle();
    const s2 = await job.state();
    expect(s2.activeGroup).toBe(2);
    expect(Date.parse(s2.groups[2]!.deadline!) - Date.parse(s2.groups[2]!.activatedAt!)).toBe(7 * DAY);
    expect(Date.parse(s2.groups[2]!.deadline!)).toBeGreaterThan(t0 + 16 * DAY);
  });

  it('group 1 may not sign a second after its deadline: it expires and later groups never start', async () => {
    const job = await start({
      signers: [{ order: 0 }, { order: 1 }, { order: 2 }],
      availableSeconds: 7 * 24 * 3600,
    });
    await env.sleep(3 * DAY);
    await job.sign(0);
    await settle();
    const deadline = Date.parse((await job.state()).groups[1]!.deadline!);
    await env.sleep(deadline - (await env.currentTimeMs()) + 1000);
    expect(await refusal(job.sign(1))).toBe('JOB_ENDED');
    const s = await job.state();
    expect(s.status).toBe('FAILED');
    expect(s.failureReason).toBe('EXPIRED');
    expect(statuses(s)).toEqual(['SIGNED', 'EXPIRED', 'NOT_APPLICABLE']);
    expect(s.groups[2]!.activatedAt).toBeUndefined();
    const notified = new Set((await noticesOf(job.jobId)).map((n) => n.signer_id));
    expect(notified.has(job.signerIds[2]!)).toBe(false);
  });
});

describe('terminating actions', () => {
  it('a rejection in group 0 fails the job; group 1 is never activated or notified', async () => {
    const job = await start({ signers: [{ order: 0 }, { order: 0 }, { order: 1 }] });
    await job.sign(1);
    await job.reject(0, 'wrong salary');
    await settle();
    const s = await job.state();
    expect(s.status).toBe('FAILED');
    expect(s.failureReason).toBe('REJECTED');
    expect(statuses(s)).toEqual(['REJECTED', 'SIGNED', 'NOT_APPLICABLE']);
    expect(s.signers[0]!.rejectionReason).toBe('wrong salary');
    expect(s.groups[1]!.activatedAt).toBeUndefined();
    const notified = new Set((await noticesOf(job.jobId)).map((n) => n.signer_id));
    expect([...notified].sort()).toEqual([job.signerIds[0], job.signerIds[1]].sort());
    expect(await refusal(job.sign(2))).toBe('JOB_ENDED');
  });

  it('wrong one-time codes never end the job: a BLOCKED signer failure is refused and the signer still signs', async () => {
    // Before, a BLOCKED ended the job like a rejection (its recorded history still replays).
    const job = await start({ signers: [{ order: 0 }, { order: 1 }] });
    const blocked = job.handle.executeUpdate(signerFailedUpdate, {
      args: [{ signerId: job.signerIds[0]!, status: 'BLOCKED' }],
    });
    expect(await refusal(blocked)).toBe('CODES_NEVER_BLOCK');
    await settle();
    expect((await job.state()).status).toBe('IN_PROGRESS');
    expect(statuses(await job.state())).toEqual(['WAITING', 'WAITING']);
    await job.sign(0);
    await settle(); // group 1 is activated
    await job.sign(1);
    await settle();
    const s = await job.state();
    expect(s.status).toBe('COMPLETED_SUCCESSFULLY');
    expect(statuses(s)).toEqual(['SIGNED', 'SIGNED']);
  });

  it('cancel before activation: every signer CANCELLED, nobody notified', async () => {
    const now = await env.currentTimeMs();
    const job = await start({
      signers: [{ order: 0 }, { order: 1 }],
      activationTime: new Date(now + 5 * DAY),
    });
    await job.handle.executeUpdate(cancelUpdate);
    await settle();
    const s = await job.state();
    expect(s.status).toBe('FAILED');
    expect(s.failureReason).toBe('CANCELLED');
    expect(statuses(s)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(s.activated).toBe(false);
    await env.sleep(6 * DAY);
    expect(await noticesOf(job.jobId)).toHaveLength(0);
  });

  it('cancel during a group: who signed stays SIGNED, everyone else CANCELLED', async () => {
    const job = await start({ signers: [{ order: 0 }, { order: 0 }, { order: 1 }] });
    await job.sign(0);
    await settle();
    await job.handle.executeUpdate(cancelUpdate);
    await settle();
    const s = await job.state();
    expect(s.status).toBe('FAILED');
    expect(statuses(s)).toEqual(['SIGNED', 'CANCELLED', 'CANCELLED']);
  });

  it('cancel after completion is refused', async () => {
    const job = await start({ signers: [{}] });
    await job.sign(0);
    await settle();
    expect((await job.state()).status).toBe('COMPLETED_SUCCESSFULLY');
    expect(await refusal(job.handle.executeUpdate(cancelUpdate))).toBe('JOB_ENDED');
    expect((await job.state()).status).toBe('COMPLETED_SUCCESSFULLY');
  });

  it('out-of-turn and double signatures are refused', async () => {
    const job = await start({ signers: [{ order: 0 }, { order: 1 }] });
    expect(await refusal(job.sign(1))).toBe('NOT_SIGNERS_TURN');
    await job.sign(0);
    expect(await refusal(job.sign(0))).toBe('ALREADY_ACTED');
    expect(
      await refusal(
        job.handle.executeUpdate(signUpdate, { args: [{ signerId: 'nobody', authenticationLevel: 4 }] }),
      ),
    ).toBe('UNKNOWN_SIGNER');
  });

  it('a direct job lives 30 days and then expires', async () => {
    const job = await start({ flow: 'direct', signers: [{}, {}] });
    const s = await job.state();
    expect(Date.parse(s.groups[0]!.deadline!) - Date.parse(s.groups[0]!.activatedAt!)).toBe(30 * DAY);
    expect(await refusal(job.handle.executeUpdate(cancelUpdate))).toBe('NOT_PORTAL_JOB');
    await job.sign(0);
    await env.sleep(30 * DAY);
    const after = await job.state();
    expect(after.status).toBe('FAILED');
    expect(statuses(after)).toEqual(['SIGNED', 'EXPIRED']);
    // The direct flow sends no notices.
    expect(await noticesOf(job.jobId)).toHaveLength(0);
  });
});

describe('notices', () => {
  it('a 10-day job with e-mail and SMS: e-mail at activation and 5 days before, SMS 2 days before', async () => {
    const job = await start({
      signers: [{ channels: { email: true, sms: true } }],
      availableSeconds: 10 * 24 * 3600,
    });
    const s = await job.state();
    const activatedAt = Date.parse(s.groups[0]!.activatedAt!);
    const deadline = Date.parse(s.groups[0]!.deadline!);
    await env.sleep(9 * DAY);
    const sent = await noticesOf(job.jobId);
    expect(sent.map((n) => `${n.kind}:${n.channel}`)).toEqual([
      'ACTIVATION:EMAIL',
      'REMINDER:EMAIL',
      'REMINDER:SMS',
    ]);
    expect(sent[0]!.planned_at.getTime()).toBe(activatedAt);
    expect(sent[1]!.planned_at.getTime()).toBe(deadline - 5 * DAY);
    // The SMS is 2 days before unless that falls in the Oslo night; then it moves to 08:00.
    const sms = sent[2]!.planned_at;
    const osloHour = Number(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', hour12: false }).format(
        sms,
      ),
    );
    expect(osloHour >= 8 && osloHour < 22).toBe(true);
    expect(deadline - sms.getTime()).toBeGreaterThan(DAY);
  });

  it('a signer who has signed gets no reminder', async () => {
    const job = await start({ signers: [{ order: 0 }, { order: 0 }], availableSeconds: 10 * 24 * 3600 });
    await job.sign(0);
    await env.sleep(6 * DAY);
    const sent = await noticesOf(job.jobId);
    expect(sent.filter((n) => n.signer_id === job.signerIds[0]).map((n) => n.kind)).toEqual(['ACTIVATION']);
    expect(sent.filter((n) => n.signer_id === job.signerIds[1]).map((n) => n.kind)).toEqual([
      'ACTIVATION',
      'REMINDER',
    ]);
  });

  it('extending the deadline: the old reminder is not sent, the new ones are', async () => {
    const job = await start({ signers: [{}], availableSeconds: 10 * 24 * 3600 });
    const activatedAt = Date.parse((await job.state()).groups[0]!.activatedAt!);
    await env.sleep(2 * DAY);
    const group = await job.handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ availableSeconds: 20 * 24 * 3600 }],
    });
    expect(Date.parse(group.deadline!) - activatedAt).toBe(20 * DAY);
    await env.sleep(4 * DAY); // day 6: past the old reminder (day 5)
    expect((await noticesOf(job.jobId)).map((n) => n.kind)).toEqual(['ACTIVATION']);
    await env.sleep(10 * DAY); // day 16: past the new reminder (day 15)
    const sent = await noticesOf(job.jobId);
    expect(sent.map((n) => n.kind)).toEqual(['ACTIVATION', 'REMINDER']);
    expect(sent[1]!.planned_at.getTime()).toBe(activatedAt + 15 * DAY);
    // The old deadline (day 10) passed without expiry.
    expect((await job.state()).status).toBe('IN_PROGRESS');
    await env.sleep(5 * DAY);
    expect((await job.state()).status).toBe('FAILED');
  });

  it('an extension to a time already past is refused', async () => {
    const job = await start({ signers: [{}], availableSeconds: 10 * 24 * 3600 });
    await env.sleep(2 * DAY);
    expect(
      await refusal(
        job.handle.executeUpdate(extendDeadlineUpdate, { args: [{ availableSeconds: 24 * 3600 }] }),
      ),
    ).toBe('INVALID_DEADLINE');
  });
});

describe('retention', () => {
  /** The job's documents as the store holds them, and whether their rows are marked deleted. */
  const storedDocuments = async (jobId: string) => ({
    files: (
      await t.db.selectFrom('blobs').select('key').where('key', 'like', `documents/${jobId}/%`).execute()
    ).length,
    marked: (
      await t.db.selectFrom('documents').select('deleted_at').where('job_id', '=', jobId).execute()
    ).map((d) => d.deleted_at !== null),
  });

  const sweep = () => runRetentionSweep(env, taskQueue);
  const deletedAt = async (jobId: string) =>
    (
      await t.db
        .selectFrom('signature_jobs')
        .select('documents_deleted_at')
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow()
    ).documents_deleted_at;

  it('documents are deleted 40 days after the job ended', async () => {
    const job = await start({ signers: [{}] });
    await job.sign(0);
    // The workflow ends with the job; the retention sweep deletes the documents on time.
    const result = await resultInPlace<JobResult>(env, job.handle.workflowId);
    expect(result.outcome).toBe('COMPLETED');
    expect(Date.parse(result.retentionUntil!) - Date.parse(result.since)).toBe(40 * DAY);
    await env.sleep(39 * DAY);
    // (Jobs of earlier scenarios, ended longer ago on the server's clock, may go in this sweep.)
    await sweep();
    expect(await storedDocuments(job.jobId)).toEqual({ files: 1, marked: [false] });
    expect(await deletedAt(job.jobId)).toBeNull();
    await env.sleep(Date.parse(result.retentionUntil!) - (await env.currentTimeMs()) + 60_000);
    expect((await sweep()).deleted).toBeGreaterThanOrEqual(1);
    expect(await storedDocuments(job.jobId)).toEqual({ files: 0, marked: [true] });
    expect(await deletedAt(job.jobId)).not.toBeNull();
    const deletions = async () =>
      (
        await t.db
          .selectFrom('audit_events')
          .select('details')
          .where('job_id', '=', job.jobId)
          .where('event', '=', 'DOCUMENTS_DELETED')
          .execute()
      ).map((a) => a.details);
    expect(await deletions()).toEqual([{ by: 'retention' }]);
    // The next sweep finds nothing more of this job.
    await sweep();
    expect(await deletions()).toEqual([{ by: 'retention' }]);
  });

  it('the sender may delete documents early once the job has ended, not before', async () => {
    const job = await start({ signers: [{}] });
    const deps = { db: t.db, temporal: env.client, storage: new PostgresDocumentStore(t.db) };
    await expect(deleteJobDocuments(deps, job.jobId)).rejects.toMatchObject({ code: 'JOB_NOT_ENDED' });
    await job.reject(0);
    expect((await resultInPlace<JobResult>(env, job.handle.workflowId)).outcome).toBe('REJECTED');
    await deleteJobDocuments(deps, job.jobId);
    expect(await storedDocuments(job.jobId)).toEqual({ files: 0, marked: [true] });
    expect(await deletedAt(job.jobId)).not.toBeNull();
    // Once deleted there is nothing left to delete.
    await expect(deleteJobDocuments(deps, job.jobId)).rejects.toMatchObject({ code: 'JOB_ENDED' });
  });
});

describe('worker restart', () => {
  it('a new worker picks up a job in the middle and finishes it', async () => {
    // Its own task queue and workers without a workflow cache: the time-skipping server does not
    // move a sticky task queue of a stopped worker back to the normal queue, the real server does.
    const queue = `restart-${randomUUID()}`;
    const newWorker = () =>
      createSignatureWorker({
        connection: env.nativeConnection,
        taskQueue: queue,
        deps: workerDeps(),
        workflowBundle: workflowBundle(),
        tuning: { maxCachedWorkflows: 0 },
      });
    const first = await newWorker();
    const firstRun = first.run();
    const job = await startTestJob(t.db, env.client, queue, { signers: [{ order: 0 }, { order: 1 }] });
    jobsOfTest.push(job);
    await settle();
    await job.handle.executeUpdate(signUpdate, {
      args: [{ signerId: job.signerIds[0]!, authenticationLevel: 4 }],
    });
    await settle();
    first.shutdown();
    await firstRun;

    // While no worker runs, the job waits; a new worker replays its history and goes on.
    const second = await newWorker();
    const secondRun = second.run();
    try {
      expect((await job.handle.query(statusQuery)).activeGroup).toBe(1);
      await job.handle.executeUpdate(signUpdate, {
        args: [{ signerId: job.signerIds[1]!, authenticationLevel: 4 }],
      });
      await settle();
      expect((await job.handle.query(statusQuery)).status).toBe('COMPLETED_SUCCESSFULLY');
      const queueRows = await t.db
        .selectFrom('status_changes')
        .select('seq')
        .where('job_id', '=', job.jobId)
        .execute();
      const seqs = queueRows.map((q) => q.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
    } finally {
      second.shutdown();
      await secondRun;
    }
  });
});
