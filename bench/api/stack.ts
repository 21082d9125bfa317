/**
 * A throwaway stack on loopback for benchmarks: embedded PostgreSQL and the Temporal dev server in
 * a temporary folder, the worker and the API in this process, one registered sender with a key.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { createApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import { listen } from '../../api/http/server.js';
import { loadConfig } from '../../src/config.js';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { localClientFor, localProviderEnv, startLocalOidcProvider } from '../../src/dev/oidc-provider.js';
import { temporalCliPath } from '../../src/dev/tools.js';
import { createEidProvider } from '../../src/eid/index.js';
import { JOB_SEARCH_ATTRIBUTES } from '../../src/job/search-attributes.js';
import { createLogger } from '../../src/log.js';
import { seedDevContactRegister } from '../../src/notifications/dev-register-seed.js';
import { createServiceParts, openDatabase, seedDevSender } from '../../src/runtime.js';
import type { JobServiceDeps } from '../../src/services/job-service.js';
import { freePort } from '../../test/helpers/ports.js';
import { createSignatureWorker, workflowsPath } from '../../worker/worker.js';

export const BENCH_ORG = '987654325';

export interface BenchStack {
  baseUrl: string;
  apiKey: string;
  temporal: Client;
  /** What the job use cases are given (src/services/job-service.ts). */
  jobDeps: JobServiceDeps;
  stop(): Promise<void>;
}

export interface BenchStackOptions extends Pick<ApiDeps, 'rateLimit'> {
  /**
   * Run the worker in this process (default true). Without it the jobs' workflows wait in their
   * queue, so the API and the start are measured without the jobs' own work on the same cores.
   */
  worker?: boolean;
}

export async function startBenchStack({
  worker: runWorker = true,
  ...api
}: BenchStackOptions): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), 'esign-bench-'));
  await chmod(dir, 0o755); // PostgreSQL runs as `postgres` when we are root
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const [pgPort, apiPort] = await Promise.all([freePort(), freePort()]);
    // The Temporal dev server as the API tests run it: in memory, so disk syncs do not dominate.
    const [pg, env, bundle] = await Promise.all([
      startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, database: 'esign' }),
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: temporalCliPath() },
          searchAttributes: JOB_SEARCH_ATTRIBUTES,
          ip: '127.0.0.1',
        },
      }),
      bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') }),
    ]);
    stops.push(pg.stop, () => env.teardown());

    const config = loadConfig({
      APP_ENV: 'development',
      PORT: String(apiPort),
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
      DATABASE_POOL_SIZE: '20',
    });
    const db = await openDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    stops.push(() => db.destroy());
    const apiKey = `bench-${randomUUID()}`;
    await seedDevSender(db, BENCH_ORG, apiKey);
    // The signers' contact details come from the development register, as in `npm run dev`.
    await seedDevContactRegister(db);

    const { signing, signingKeys, notifications, storage } = await createServiceParts(db, config, {});
    // The login as in development: the local OpenID Connect provider.
    const oidc = await startLocalOidcProvider({ port: 0, clients: [localClientFor(config.PUBLIC_URL)] });
    stops.push(() => oidc.close());
    const eid = await createEidProvider(localProviderEnv(oidc.issuer));
    if (runWorker) {
      const worker = await createSignatureWorker({
        connection: env.nativeConnection,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        deps: { db, signing, notifications, storage, publicUrl: config.PUBLIC_URL },
        workflowBundle: bundle,
      });
      const running = worker.run();
      stops.push(async () => {
        worker.shutdown();
        await running;
      });
    }

    const temporal = env.client;
    const log = createLogger('warn', 'bench');
    const http = await listen(
      createApp({ db, temporal, config, log, signing, eid, signingKeys, storage, ...api }),
      '127.0.0.1',
      apiPort,
    );
    stops.push(() => http.close());
    return {
      baseUrl: config.PUBLIC_URL,
      apiKey,
      temporal,
      jobDeps: { db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
