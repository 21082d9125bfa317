/**
 * What an operator sees in the Temporal UI once a job has ended: its workflow is closed, with the
 * job's outcome as its result (docs/workflow.md, "The end state"). A completed, a rejected, a
 * cancelled and a reserved job run on the real Temporal dev server with the real activities and
 * PostgreSQL; each is then described by the real CLI (`temporal workflow describe`), as an
 * operator would, and its status query says in words what the job waits for.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalCliPath } from '../../src/dev/tools.js';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/job/retention-schedule.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { PostgresDocumentStore } from '../../src/storage/index.js';
import { createSignatureWorker } from '../../worker/worker.js';
import { cancelUpdate, rejectUpdate, signUpdate, statusQuery } from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestJob } from '../helpers/jobs.js';
import { startTestNotifications } from '../helpers/notifications.js';
import { devServerEnv, workflowBundle } from '../helpers/temporal.js';

const run = promisify(execFile);
const NILS = testPopulation.find((p) => p.name === 'Nils Olsen')!; // reserved in the register

let dev: TestWorkflowEnvironment;
let t: TestDatabase;
let notices: Awaited<ReturnType<typeof startTestNotifications>>;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `closed-${randomUUID()}`;

beforeAll(async () => {
  [dev, t] = await Promise.all([devServerEnv(), createTestDatabase()]);
  notices = await startTestNotifications(t.db);
  worker = await createSignatureWorker({
    connection: dev.nativeConnection,
    taskQueue,
    deps: {
      db: t.db,
      storage: new PostgresDocumentStore(t.db),
      notifications: notices.adapters,
      publicUrl: 'http://localhost:3000',
    },
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await dev?.teardown();
  await notices?.stop();
  await t?.db.destroy();
});

/** `temporal workflow describe` as an operator runs it, its JSON output parsed. */
async function describeWithCli(workflowId: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(temporalCliPath(), [
    'workflow',
    'describe',
    '--address',
    dev.address,
    '--namespace',
    dev.namespace ?? 'default',
    '--workflow-id',
    workflowId,
    '--output',
    'json',
  ]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Waits until the workflow has closed, whatever its end. */
const closed = (handle: { result(): Promise<unknown> }) => handle.result().catch(() => undefined);

describe('an ended job is a closed workflow with its outcome', () => {
  it('completed, rejected and cancelled jobs are COMPLETED with the outcome as result; a reserved signer FAILED with the cause', async () => {
    const [completed, rejected, cancelled, reserved] = await Promise.all([
      startTestJob(t.db, dev.client, taskQueue, { signers: [{}] }),
      startTestJob(t.db, dev.client, taskQueue, { signers: [{}, {}] }),
      startTestJob(t.db, dev.client, taskQueue, { signers: [{ order: 0 }, { order: 1 }] }),
      startTestJob(t.db, dev.client, taskQueue, { signers: [{ pid: NILS.pid }] }),
    ]);
    // While a job runs, its status query says what it waits for, in words, and until when.
    const waiting = await untilWaiting(cancelled.handle);
    expect(waiting).toMatch(
      /^Waiting for signer 1 \(group 1 of 2\) to sign until \d{1,2} \w{3} \d{4}, \d\d:\d\d\.$/,
    );
    expect(await describeWithCli(cancelled.handle.workflowId)).toMatchObject({
      workflowExecutionInfo: { status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' },
    });

    await completed.handle.executeUpdate(signUpdate, {
      args: [{ signerId: completed.signerIds[0]!, authenticationLevel: 4 }],
    });
    await rejected.handle.executeUpdate(rejectUpdate, { args: [{ signerId: rejected.signerIds[1]! }] });
    await cancelled.handle.executeUpdate(cancelUpdate);
    await Promise.all([completed, rejected, cancelled, reserved].map((j) => closed(j.handle)));

    const described = await Promise.all(
      [completed, rejected, cancelled, reserved].map((j) => describeWithCli(j.handle.workflowId)),
    );
    const statusOf = (d: Record<string, unknown>) =>
      (d.workflowExecutionInfo as { status: string } | undefined)?.status;
    expect(described.map(statusOf)).toEqual([
      'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      'WORKFLOW_EXECUTION_STATUS_FAILED',
    ]);
    // The CLI shows the result of a completed workflow and the failure of a failed one.
    expect(resultOf(described[0]!)).toMatchObject({ outcome: 'COMPLETED', status: 'COMPLETED_SUCCESSFULLY' });
    expect(resultOf(described[1]!)).toMatchObject({
      outcome: 'REJECTED',
      cause: 'Rejected by signer 2.',
      status: 'FAILED',
    });
    expect(resultOf(described[2]!)).toMatchObject({
      outcome: 'CANCELLED',
      cause: 'Cancelled by the sender.',
    });
    expect(failureOf(described[3]!)).toMatchObject({
      message:
        'The contact register shows signer 1 reserved against digital contact: the job cannot be shown to them.',
      applicationFailureInfo: {
        type: 'RESERVED',
        nonRetryable: true,
        details: [{ outcome: 'RESERVED', status: 'FAILED', failureReason: 'RESERVED' }],
      },
    });
    // Their documents wait for the retention sweep: 40 days from each job's recorded end.
    for (const job of [completed, rejected, cancelled]) {
      const row = await t.db
        .selectFrom('signature_jobs')
        .select(['status_since', 'retention_until', 'documents_deleted_at'])
        .where('id', '=', job.jobId)
        .executeTakeFirstOrThrow();
      expect(row.retention_until!.getTime() - new Date(row.status_since!).getTime()).toBe(40 * 24 * 3600_000);
      expect(row.documents_deleted_at).toBeNull();
    }
    // Closed, the query still answers, and says nothing is awaited.
    expect((await rejected.handle.query(statusQuery)).waitingFor).toBe('Nothing: the job has ended.');
  }, 180_000);
});

describe('the retention schedule', () => {
  it('is created once, every hour, starting the retention sweep', async () => {
    expect(await ensureRetentionSchedule(dev.client, { taskQueue })).toBe('created');
    expect(await ensureRetentionSchedule(dev.client, { taskQueue })).toBe('exists');
    const described = await dev.client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(described.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'retentionSweep',
      taskQueue,
    });
  });
});

async function untilWaiting(handle: { query: (q: typeof statusQuery) => Promise<{ waitingFor: string }> }) {
  for (let i = 0; i < 100; i++) {
    const { waitingFor } = await handle.query(statusQuery);
    if (waitingFor.startsWith('Waiting for signer')) return waitingFor;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the job never waited for a signer');
}

/** The result of a completed workflow as the CLI prints it (its payload decoded). */
function resultOf(described: Record<string, unknown>): unknown {
  return (described as { result?: unknown }).result;
}

/** The failure of a failed workflow as the CLI prints it: in its closing event. */
function failureOf(described: Record<string, unknown>): unknown {
  const close = described.closeEvent as
    | { workflowExecutionFailedEventAttributes?: { failure?: unknown } }
    | undefined;
  return close?.workflowExecutionFailedEventAttributes?.failure;
}
