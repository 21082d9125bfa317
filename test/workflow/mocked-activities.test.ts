/**
 * The workflows' own rules with every activity replaced by a plain function (no database, no
 * mail, no signing), under the time-skipping test server: each scenario runs in a second or so.
 * The real-activity suites beside this one (signature-job.test.ts, notices.test.ts) prove the
 * same workflow against PostgreSQL and SMTP; these pin down what the workflow itself decides:
 * updates answer once recorded, extensions are capped, a long-term job is handed to the archive
 * and its workflow ends, every workflow ends with its job (a failed one failing), retention counts
 * from the recorded end, and the archive run and the retention sweep delete.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_RENEWAL_WORKFLOW_TYPE } from '../../src/archive/index.js';
import {
  DEFAULT_AVAILABLE_SECONDS,
  type SignatureJobInput,
  type SignatureJobState,
  TASK_QUEUE,
  workflowIdForJob,
} from '../../src/job/model.js';
import type { ArchiveRenewalResult } from '../../workflows/archive-renewal.js';
import {
  extendDeadlineUpdate,
  type JobResult,
  signUpdate,
  WORKFLOW_TYPE,
} from '../../workflows/definitions.js';
import type { JobEvent } from '../../workflows/job-state.js';
import type { RetentionSweepResult } from '../../workflows/retention-sweep.js';
import { MAX_DEADLINE_EXTENSIONS } from '../../workflows/signature-job.js';
import { recording, saveHistory } from '../helpers/histories.js';
import { timeSkippingEnv, workflowBundle } from '../helpers/temporal.js';

const DAY = 24 * 60 * 60 * 1000;

/** What the mocked activities were asked, per job. */
interface Calls {
  recorded: JobEvent[][];
  activities: string[];
}
const calls = new Map<string, Calls>();
const callsOf = (jobId: string) => {
  if (!calls.has(jobId)) calls.set(jobId, { recorded: [], activities: [] });
  return calls.get(jobId)!;
};
/** A recording that waits for the test to let it finish, when set. */
let recordingGate: Promise<void> | undefined;
/** Archives the mocked archive run finds expired. */
let expired: string[] = [];
const deleted: string[] = [];
/** Jobs whose signers the mocked register finds reserved. */
const reservedJobs = new Set<string>();
/** Jobs the mocked read model finds past their retention, and those the sweep deleted. */
let pastRetention: string[] = [];
const swept: string[] = [];

const activities = {
  async recordEvents(args: { jobId: string; events: (JobEvent & { seq: number })[] }) {
    if (args.events.some((e) => e.type === 'SIGNER_STATUS')) await recordingGate;
    callsOf(args.jobId).recorded.push(args.events);
    const visible = args.events.some((e) => e.type === 'SIGNER_STATUS' || e.type === 'JOB_STATUS');
    return visible ? { statusChangeSeq: args.events.at(-1)!.seq } : {};
  },
  async prepareSigners(args: { jobId: string; signerIds: string[] }) {
    return args.signerIds.map((signerId) => ({
      signerId,
      outcome: reservedJobs.has(args.jobId) ? ('RESERVED' as const) : ('OK' as const),
      channels: { email: true, sms: false },
    }));
  },
  async sendSignerNotice() {
    return { outcome: 'SENT' as const };
  },
  async sendSenderNotice() {
    return { outcome: 'SENT' as const };
  },
  async deliverStatusCallback() {},
  async packageJob(args: { jobId: string }) {
    callsOf(args.jobId).activities.push('packageJob');
    return { padesSha256: 'f'.repeat(64) };
  },
  async forwardSignedCopies(args: { jobId: string }) {
    callsOf(args.jobId).activities.push('forwardSignedCopies');
    return {};
  },
  async deleteDocuments(args: { jobId: string }) {
    callsOf(args.jobId).activities.push('deleteDocuments');
  },
  async handOverToArchive(args: { jobId: string }) {
    callsOf(args.jobId).activities.push('handOverToArchive');
    return { deleteAfter: '2076-11-29T00:00:00.000Z' };
  },
  // The archive run's.
  async dueArchives() {
    return [];
  },
  async renewArchive() {
    return 'NOT_DUE' as const;
  },
  async billStorageYears() {
    return 0;
  },
  async expiredArchives(args: { limit: number }) {
    return expired.slice(0, args.limit);
  },
  async deleteArchivedJob(args: { jobId: string }) {
    expired = expired.filter((j) => j !== args.jobId);
    deleted.push(args.jobId);
    return true;
  },
  // The retention sweep's.
  async jobsWithOpenMailboxOffers() {
    return [];
  },
  async jobsToWarnOfDeletion() {
    return [];
  },
  async jobsPastRetention(args: { limit: number }) {
    return pastRetention.slice(0, args.limit);
  },
  async deleteRetainedDocuments(args: { jobId: string }) {
    pastRetention = pastRetention.filter((j) => j !== args.jobId);
    swept.push(args.jobId);
    return true;
  },
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `${TASK_QUEUE}-mocked-${randomUUID()}`;

beforeAll(async () => {
  env = await timeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

let handlesOfTest: WorkflowHandle[] = [];
afterEach(async (ctx) => {
  if (recording && ctx.task.result?.state === 'pass') {
    for (const [i, handle] of handlesOfTest.entries()) {
      await saveHistory(handle, `${ctx.task.name}${i > 0 ? `-${i}` : ''}`);
    }
  }
  handlesOfTest = [];
});

async function startJob(opts: { longTermStorage?: boolean; reserved?: boolean } = {}) {
  const jobId = randomUUID();
  if (opts.reserved) reservedJobs.add(jobId);
  const input: SignatureJobInput = {
    jobId,
    org: '987654325',
    flow: 'portal',
    requiredAuthentication: 4,
    signers: [
      {
        id: 's0',
        order: 0,
        signatureType: 'AUTHENTICATED_SIGNATURE',
        onBehalfOf: 'SELF',
        channels: { email: true, sms: false },
      },
    ],
    availableSeconds: DEFAULT_AVAILABLE_SECONDS,
    longTermStorage: opts.longTermStorage ?? false,
  };
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowIdForJob(jobId),
    args: [input],
  });
  handlesOfTest.push(handle);
  await env.sleep(60_000); // activation: recorded, the group shown
  const sign = () => handle.executeUpdate(signUpdate, { args: [{ signerId: 's0', authenticationLevel: 4 }] });
  return { jobId, handle, sign };
}

const eventTypes = (jobId: string) =>
  callsOf(jobId)
    .recorded.flat()
    .map((e) => e.type);
const isRunning = async (handle: { describe(): Promise<{ status: { name: string } }> }) =>
  (await handle.describe()).status.name === 'RUNNING';

describe('signature job, activities mocked', () => {
  it('a sign answers only once its events are recorded (read-your-writes)', async () => {
    const job = await startJob();
    let release!: () => void;
    recordingGate = new Promise((r) => {
      release = r;
    });
    let answered = false;
    const signing = job.sign().then(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(answered).toBe(false);
    expect(eventTypes(job.jobId)).not.toContain('SIGNER_STATUS');
    release();
    recordingGate = undefined;
    await signing;
    expect(eventTypes(job.jobId)).toContain('SIGNER_STATUS');
  });

  it("a group's deadline extensions are capped (MAX_DEADLINE_EXTENSIONS)", async () => {
    const job = await startJob();
    const extend = (days: number) =>
      job.handle.executeUpdate(extendDeadlineUpdate, { args: [{ availableSeconds: days * 24 * 60 * 60 }] });
    for (let i = 1; i <= MAX_DEADLINE_EXTENSIONS; i++) await extend(30 + i);
    const refused = await extend(60).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause as { type?: string; message: string };
    expect(cause.type).toBe('TOO_MANY_EXTENSIONS');
    expect(cause.message).toContain('availableSeconds');
    expect(eventTypes(job.jobId).filter((t) => t === 'DEADLINE_EXTENDED')).toHaveLength(
      MAX_DEADLINE_EXTENSIONS,
    );
  });

  it('a completed long-term job is handed to the archive and its workflow ends', async () => {
    const job = await startJob({ longTermStorage: true });
    await job.sign();
    const state = (await job.handle.result()) as SignatureJobState;
    expect(state.status).toBe('COMPLETED_SUCCESSFULLY');
    expect(state.retentionUntil).toBe('2076-11-29T00:00:00.000Z');
    expect(callsOf(job.jobId).activities).toEqual(['packageJob', 'forwardSignedCopies', 'handOverToArchive']);
  });

  it("an ordinary job's workflow ends with the job, its outcome the result; retention counts from the recorded end", async () => {
    const job = await startJob();
    expect(await isRunning(job.handle)).toBe(true);
    await job.sign();
    const result = (await job.handle.result()) as JobResult;
    expect((await job.handle.describe()).status.name).toBe('COMPLETED');
    const ended = callsOf(job.jobId)
      .recorded.flat()
      .find((e) => e.type === 'JOB_STATUS')!;
    expect(result.outcome).toBe('COMPLETED');
    expect(result.status).toBe('COMPLETED_SUCCESSFULLY');
    expect(Date.parse(result.retentionUntil!) - Date.parse(ended.at)).toBe(40 * DAY);
    // The documents are the retention sweep's: the job's workflow does not wait for them.
    expect(callsOf(job.jobId).activities).toEqual(['packageJob', 'forwardSignedCopies']);
    expect(result.documentsDeleted).toBe(false);
  });

  it('a reserved signer fails the workflow with the cause in words, for operators', async () => {
    const job = await startJob({ reserved: true });
    const failure = await job.handle.result().then(
      () => undefined,
      (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : err),
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const app = failure as ApplicationFailure;
    expect(app.type).toBe('RESERVED');
    expect(app.nonRetryable).toBe(true);
    expect(app.message).toBe(
      'The contact register shows signer 1 reserved against digital contact: the job cannot be shown to them.',
    );
    expect(app.details?.[0]).toMatchObject({ outcome: 'RESERVED', status: 'FAILED' });
  });
});

describe('the retention sweep, activities mocked', () => {
  it('deletes the documents of every job past its retention, batch after batch', async () => {
    pastRetention = Array.from({ length: 130 }, (_, i) => `job-${i}`);
    const handle = await env.client.workflow.start('retentionSweep', {
      taskQueue,
      workflowId: `retention-sweep-${randomUUID()}`,
      args: [],
    });
    handlesOfTest.push(handle);
    const result = (await handle.result()) as RetentionSweepResult;
    expect(result.deleted).toBe(130);
    expect(pastRetention).toEqual([]);
    expect(new Set(swept).size).toBe(130);
  });
});

describe('the archive run, activities mocked', () => {
  it('deletes every archive whose 50 years are over, batch after batch', async () => {
    expired = Array.from({ length: 130 }, (_, i) => `job-${i}`);
    const handle = await env.client.workflow.start(ARCHIVE_RENEWAL_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `archive-run-${randomUUID()}`,
      args: [],
    });
    handlesOfTest.push(handle);
    const result = (await handle.result()) as ArchiveRenewalResult;
    expect(result.deleted).toBe(130);
    expect(expired).toEqual([]);
    expect(new Set(deleted).size).toBe(130);
  });
});
