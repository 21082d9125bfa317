/**
 * The real stack for API tests: the Temporal dev server (real, not time-skipping), a fresh
 * PostgreSQL database, a worker and the HTTP API on a free port, as `npm run dev` wires them.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { seedDevSender } from '../../src/runtime.js';
import { createApiKey } from '../../src/services/api-keys.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { createSignatureWorker } from '../../worker/worker.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { freePort } from './ports.js';
import { devServerEnv, workflowBundle } from './temporal.js';

export const ORG = '987654325';
export const OTHER_ORG = '974760673';
export const PRIVATE_ORG = '912345674';

export interface Stack {
  baseUrl: string;
  env: TestWorkflowEnvironment;
  t: TestDatabase;
  apiKey: string;
  otherApiKey: string;
  privateApiKey: string;
  taskQueue: string;
  /** fetch against the API with the sender's key (override headers to change it). */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const [env, t, port] = await Promise.all([devServerEnv(), createTestDatabase(), freePort()]);
  const taskQueue = `api-${randomUUID()}`;
  const config = loadConfig({
    APP_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: t.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'silent',
  });
  const apiKey = `key-${randomUUID()}`;
  await seedDevSender(t.db, ORG, apiKey);
  await upsertOrganisation(t.db, { orgNumber: OTHER_ORG, name: 'Other Sender AS', sector: 'PUBLIC' });
  const { key: otherApiKey } = await createApiKey(t.db, OTHER_ORG, 'test');
  await upsertOrganisation(t.db, { orgNumber: PRIVATE_ORG, name: 'Private Sender AS', sector: 'PRIVATE' });
  const { key: privateApiKey } = await createApiKey(t.db, PRIVATE_ORG, 'test');

  const worker: Worker = await createSignatureWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: { db: t.db },
    workflowBundle: workflowBundle(),
  });
  const running = worker.run();
  const log = createLogger('silent', 'test');
  const http = await listen(createApp({ db: t.db, temporal: env.client, config, log }), '127.0.0.1', port);
  const baseUrl = config.PUBLIC_URL;

  return {
    baseUrl,
    env,
    t,
    apiKey,
    otherApiKey,
    privateApiKey,
    taskQueue,
    api: (path, init = {}) =>
      fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiKey}`, ...(init.headers as Record<string, string>) },
      }),
    stop: async () => {
      await http.close();
      worker.shutdown();
      await running;
      await env.teardown();
      await t.db.destroy();
    },
  };
}
