import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSignatureWorker } from '../../worker/worker.js';
import { signUpdate, statusQuery } from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestJob } from '../helpers/jobs.js';
import { timeSkippingEnv, workflowBundle } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `tq-${randomUUID()}`;

beforeAll(async () => {
  [env, t] = await Promise.all([timeSkippingEnv(), createTestDatabase()]);
  worker = await createSignatureWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: { db: t.db },
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await t?.db.destroy();
});

it('a single signer signs and the job completes', async () => {
  const { handle, signerIds } = await startTestJob(t.db, env.client, taskQueue, { signers: [{}] });
  await env.sleep('1 minute');
  await handle.executeUpdate(signUpdate, { args: [{ signerId: signerIds[0]!, authenticationLevel: 4 }] });
  await env.sleep('1 minute');
  const state = await handle.query(statusQuery);
  expect(state.status).toBe('COMPLETED_SUCCESSFULLY');
  expect(state.signers[0]!.status).toBe('SIGNED');
});
