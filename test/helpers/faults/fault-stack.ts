/**
 * A whole deployment in miniature for fault tests: its own PostgreSQL and its own Temporal dev
 * server on a SQLite file (both restartable on their data), a real SMTP server, and workers and
 * API processes started from the production entry points. The test process itself talks to the
 * database and to Temporal only to look, never to do the service's work.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Db } from '../../../src/db/index.js';
import { type RunningPostgres, startEmbeddedPostgres } from '../../../src/dev/embedded-postgres.js';
import { localClientFor, localProviderEnv, startLocalOidcProvider } from '../../../src/dev/oidc-provider.js';
import { type RunningTemporal, startTemporalDevServer } from '../../../src/dev/temporal-server.js';
import { seedDevContactRegister } from '../../../src/notifications/dev-register-seed.js';
import { openDatabase, seedDevSender } from '../../../src/runtime.js';
import { createSigningContext } from '../../../src/signatures/context.js';
import { ORG } from '../organisations.js';
import { freePort } from '../ports.js';
import { type ServiceProcess, startServiceProcess, waitForHttp } from '../processes.js';
import { type FaultSmtp, startFaultSmtp } from './smtp.js';

export { ORG } from '../organisations.js';
export const API_KEY = 'fault-test-api-key';

export interface Api {
  url: string;
  process: ServiceProcess;
}

export interface FaultStack {
  db: Db;
  temporal: Client;
  smtp: FaultSmtp;
  /** A worker process; `env` adds to or overrides the stack's environment. */
  startWorker(env?: Record<string, string>): Promise<ServiceProcess>;
  /** An API process on `port` (a fresh one when not given). */
  startApi(port?: number, env?: Record<string, string>): Promise<Api>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  /** Everything the stack started, in the reverse order. */
  close(): Promise<void>;
}

export async function startFaultStack(opts: { keepMail?: boolean } = {}): Promise<FaultStack> {
  const dir = await mkdtemp(join(tmpdir(), 'esign-faults-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must be able to enter the folder.
  await chmod(dir, 0o755);
  const processes: ServiceProcess[] = [];

  const pgPort = await freePort();
  const startPg = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, database: 'esign' });
  let pg: RunningPostgres | undefined = await startPg();
  const db = await openDatabase(pg.url, 5);
  await seedDevSender(db, ORG, API_KEY);
  await seedDevContactRegister(db);

  const temporalPort = await freePort();
  const uiPort = await freePort();
  const startTemporalServer = () =>
    startTemporalDevServer({ dbFile: join(dir, 'temporal.sqlite'), port: temporalPort, uiPort });
  let temporalServer: RunningTemporal | undefined = await startTemporalServer();
  const connection = await Connection.connect({ address: temporalServer.address });
  const temporal = new Client({ connection });

  const smtp = await startFaultSmtp(await freePort(), { keep: opts.keepMail ?? true });
  const pkiDir = join(dir, 'pki');
  // Made once here, so the processes below share it instead of racing to create it.
  await createSigningContext({ pkiDir, publicUrl: 'http://127.0.0.1' });

  // The API processes' login (discovered at their start; these tests log nobody in).
  const oidc = await startLocalOidcProvider({ port: 0, clients: [localClientFor('http://127.0.0.1')] });

  const baseEnv = {
    APP_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: pg.url,
    DATABASE_POOL_SIZE: '5',
    TEMPORAL_ADDRESS: temporalServer.address,
    SMTP_URL: smtp.url,
    PKI_DIR: pkiDir,
    DATA_DIR: join(dir, 'data'),
    HOST: '127.0.0.1',
  };
  let workers = 0;
  let apiPort: number | undefined;

  return {
    db,
    temporal,
    smtp,
    async startWorker(env = {}) {
      const metricsPort = await freePort();
      const proc = startServiceProcess(`worker ${++workers}`, 'worker/main.ts', {
        ...baseEnv,
        // One metrics port per worker process: several run on this machine at once.
        METRICS_PORT: String(metricsPort),
        TEMPORAL_METRICS_PORT: String(await freePort()),
        PUBLIC_URL: `http://127.0.0.1:${apiPort ?? 3000}`,
        ...env,
      });
      processes.push(proc);
      // The worker's health endpoint answers once it polls its task queue.
      await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, proc);
      return proc;
    },
    async startApi(port?: number, env = {}) {
      const p = port ?? (await freePort());
      apiPort ??= p;
      const url = `http://127.0.0.1:${p}`;
      const proc = startServiceProcess(`api :${p}`, 'api/main.ts', {
        ...baseEnv,
        PORT: String(p),
        PUBLIC_URL: url,
        ...localProviderEnv(oidc.issuer),
        ...env,
      });
      processes.push(proc);
      await waitForHttp(`${url}/healthz`, proc);
      return { url, process: proc };
    },
    async stopPostgres() {
      await pg?.stop();
      pg = undefined;
    },
    async startPostgres() {
      pg = await startPg();
    },
    async stopTemporal() {
      await temporalServer?.stop();
      temporalServer = undefined;
    },
    async startTemporal() {
      temporalServer = await startTemporalServer();
    },
    async close() {
      await Promise.all(processes.map((p) => p.stop()));
      await connection.close().catch(() => {});
      await temporalServer?.stop();
      await smtp.stop();
      await oidc.close();
      await db.destroy();
      await pg?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
