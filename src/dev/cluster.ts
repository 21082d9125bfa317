/**
 * The production shape of docker-compose.yml on one machine, without containers (`npm run
 * cluster`, the cluster tests and benchmark): PostgreSQL, the real Temporal server on it (one
 * process, or one per service), its schema and namespace jobs (the very scripts compose runs),
 * the Temporal UI, an SMTP sink, worker and API processes from the production build
 * (`node dist/...`), and one proxy in front of the APIs.
 *
 * Versions and settings come from where compose takes them: the image tags of docker-compose.yml
 * (the bootstrap builds those versions into .tools/), deploy/temporal/*.env, the dynamic config
 * and the nginx body limit. What differs from compose: one PostgreSQL server (the embedded one)
 * holds both the application's and Temporal's databases, and the proxy is a small Node one.
 */

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { WORKER_PROCESS_ENV } from '../../worker/process-env.js';
import type { Db } from '../db/index.js';
import { createDb, migrateToLatest } from '../db/index.js';
import { seedDevSender } from '../runtime.js';
import { createSigningContext } from '../signatures/context.js';
import { type ApiProxy, nginxBodyLimit, nginxClientLimits, startApiProxy } from './api-proxy.js';
import {
  LOCAL_CSC_PROVIDER_NAMES,
  localCscClientFor,
  localCscEnv,
  startLocalCscProvider,
} from './csc-provider.js';
import { type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { composeImageTag, readEnvFile } from './env-file.js';
import { type ManagedProcess, runToEnd, startManagedProcess } from './managed-process.js';
import { localClientFor, localProviderEnv, startLocalOidcProvider } from './oidc-provider.js';
import { startSmtpSink } from './smtp-sink.js';
import { projectRoot } from './tools.js';

/** The Temporal services; `all` is the single process running every one of them. */
export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface ClusterPorts {
  /** The proxy: the one way in to the APIs. */
  proxy: number;
  /** The Temporal frontend's gRPC port (what clients dial). */
  temporal: number;
  ui: number;
  postgres: number;
  /** Only used when no SMTP_URL is given. */
  smtp: number;
  /** The local OpenID Connect provider (the login), unless OIDC_ISSUER names another. */
  oidc: number;
  /** Temporal's other listeners: history, matching, worker gRPC, frontend HTTP, 4 membership. */
  temporalInternal: number[];
  /** One per API process. */
  apis: number[];
  /** Per worker process: its /metrics and /healthz, and the SDK's metrics. */
  workers: { metrics: number; sdkMetrics: number }[];
}

/**
 * The ports of `npm run cluster` from the same variables as `npm run dev`, plus CLUSTER_PORTS:
 * the first of 30 consecutive ports for the listeners nobody calls from outside (API processes
 * behind the proxy, Temporal's internal services, the workers' metrics).
 */
export function clusterPorts(
  p: { PORT: number; TEMPORAL_PORT: number; TEMPORAL_UI_PORT: number; PG_PORT: number; SMTP_PORT: number },
  internalBase: number,
  counts: { apis: number; workers: number },
): ClusterPorts {
  if (counts.apis > 10 || counts.workers > 5) throw new Error('at most 10 API and 5 worker processes');
  return {
    proxy: p.PORT,
    temporal: p.TEMPORAL_PORT,
    ui: p.TEMPORAL_UI_PORT,
    postgres: p.PG_PORT,
    smtp: p.SMTP_PORT,
    oidc: internalBase + 18,
    apis: Array.from({ length: counts.apis }, (_, i) => internalBase + i),
    temporalInternal: Array.from({ length: 8 }, (_, i) => internalBase + 10 + i),
    workers: Array.from({ length: counts.workers }, (_, i) => ({
      metrics: internalBase + 20 + 2 * i,
      sdkMetrics: internalBase + 21 + 2 * i,
    })),
  };
}

export interface ClusterOptions {
  dataDir: string;
  ports: ClusterPorts;
  /** One Temporal server process (default), or one per service. */
  splitServices?: boolean;
  /** An SMTP server to use instead of the sink. */
  smtpUrl?: string;
  devSender: { org: string; apiKey: string };
  /** Added to every API and worker process's environment (the caller's overrides). */
  appEnv?: Record<string, string>;
  /** Per worker process, added after appEnv (e.g. a bounded workflow cache). */
  workerEnv?: Record<string, string>;
  /** Worker process i's own, added after workerEnv (to compare two settings in one run). */
  workerEnvs?: Record<string, string>[];
  namespace?: string;
  say?: (line: string) => void;
  /** Aborted (Ctrl-C while starting): what was started is stopped and startCluster rejects. */
  signal?: AbortSignal;
}

export interface Cluster {
  proxyUrl: string;
  temporalAddress: string;
  namespace: string;
  uiUrl: string;
  /** The OpenID Connect issuer people log in at (the local provider unless OIDC_ISSUER is set). */
  loginUrl: string;
  databaseUrl: string;
  smtpUrl: string;
  mailDir?: string;
  /** The application's database, for looking (and the dev seeds). */
  db: Db;
  /** Keyed by service, or `all` for the single process. */
  temporal: Map<TemporalService | 'all', ManagedProcess>;
  ui: ManagedProcess;
  apis: ManagedProcess[];
  /** Each API process's own URL (behind the proxy), same order as `apis`. */
  apiUrls: string[];
  workers: ManagedProcess[];
  /** Each worker's /healthz URL, same order as `workers`. */
  workerHealthUrls: string[];
  proxy: ApiProxy;
  postgres(): RunningPostgres;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** Waits until the API process `i` (or the worker) answers its /healthz after a (re)start. */
  untilApiHealthy(i: number): Promise<void>;
  untilWorkerHealthy(i: number): Promise<void>;
  /** Waits until the frontend answers and the namespace is served again. */
  untilTemporalServing(): Promise<void>;
  /** Every PID the cluster started and is still running (for checks that nothing is left). */
  pids(): number[];
  stop(): Promise<void>;
}

const TEMPORAL_DB_USER = 'temporal';
// The cluster_membership table keeps rpc_port as a PostgreSQL smallint: a service whose
// membership port is above it fails its first heartbeat and exits.
const MAX_MEMBERSHIP_PORT = 32_767;

/**
 * `count` ports free on loopback now, all at most 32767 (see MAX_MEMBERSHIP_PORT): the OS hands
 * out ephemeral ports above that, so tests and benchmarks pick Temporal's internal ports here.
 */
export async function freeLowPorts(count: number): Promise<number[]> {
  const found: number[] = [];
  while (found.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (found.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) found.push(port);
  }
  return found;
}

/** Where the bootstrap (--cluster) put the server, SQL tool and UI of the pinned versions. */
export function clusterTools() {
  const compose = readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8');
  const serverVersion = composeImageTag(compose, 'temporalio/server');
  const uiVersion = composeImageTag(compose, 'temporalio/ui');
  const serverDir = join(projectRoot, '.tools/temporal-server', serverVersion);
  const uiDir = join(projectRoot, '.tools/temporal-ui', uiVersion);
  for (const f of [
    join(serverDir, 'bin/temporal-server'),
    join(serverDir, 'bin/temporal-sql-tool'),
    join(serverDir, 'config/docker.yaml'),
    join(uiDir, 'bin/ui-server'),
  ]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`bash scripts/bootstrap.sh --cluster\``);
  }
  for (const f of ['dist/api/main.js', 'dist/worker/main.js']) {
    if (!existsSync(join(projectRoot, f))) throw new Error(`${f} is missing: run \`npm run build\``);
  }
  return { serverVersion, uiVersion, serverDir, uiDir, venvBin: join(projectRoot, '.tools/venv/bin') };
}

/**
 * The server's dynamic configuration: deploy/temporal/dynamicconfig.yaml as compose mounts it, or
 * with TASK_FAIRNESS=off a copy in the data folder with fairness and the priority matcher off
 * (to compare, docs/scaling.md).
 */
export async function dynamicConfigFile(dataDir: string, fairness: boolean): Promise<string> {
  const deployed = join(projectRoot, 'deploy/temporal/dynamicconfig.yaml');
  if (fairness) return deployed;
  const text = await readFile(deployed, 'utf8');
  const off = text.replace(/^(matching\.(?:useNewMatcher|enableFairness):\n\s+- value: )true$/gm, '$1false');
  if ((off.match(/- value: false$/gm) ?? []).length < 2) {
    throw new Error(`${deployed} no longer switches matching.useNewMatcher and matching.enableFairness`);
  }
  const copy = join(dataDir, 'dynamicconfig-without-fairness.yaml');
  await writeFile(copy, off);
  return copy;
}

/** A process the cluster started has ended: nothing restarts it, so waiting on is pointless. */
class ProcessExited extends Error {
  constructor(name: string, p: ManagedProcess) {
    super(`${name} exited:\n${p.output()}`);
  }
}

/**
 * Polls `probe` until it resolves truthy, or fails naming `what`: at the deadline, or at once
 * when the probe finds a process exited (the CI log then shows why, not a two-minute wait).
 */
async function until(
  what: string,
  probe: () => Promise<unknown>,
  timeoutMs = 120_000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (signal?.aborted) throw new Error(`stopped while waiting for ${what}`);
    try {
      if (await probe()) return;
    } catch (err) {
      if (err instanceof ProcessExited) throw new Error(`while waiting for ${what}: ${err.message}`);
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message ?? last}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Whether something accepts TCP connections on loopback `port`. */
function tcpListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 2000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

const httpOk = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const tools = clusterTools();
  const say = opts.say ?? (() => {});
  const { ports, dataDir } = opts;
  const logDir = join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const namespace = opts.namespace ?? 'default';
  const stops: (() => Promise<unknown>)[] = [];
  const all: ManagedProcess[] = [];
  const basePath = `${tools.serverDir}/bin:${tools.venvBin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  const baseEnv = { PATH: basePath, HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8' };
  const proc = (name: string, command: string, args: string[], env: Record<string, string>) => {
    const p = startManagedProcess({
      name,
      command,
      args,
      env: { ...baseEnv, ...env },
      cwd: projectRoot,
      logFile: join(logDir, `${name}.log`),
    });
    all.push(p);
    return p;
  };
  // Each step of the start-up first checks whether the caller gave up meanwhile.
  const step = (line: string) => {
    if (opts.signal?.aborted) throw new Error('stopped while starting');
    say(line);
  };
  // Should this process end before the orderly stop completed (killed by a wrapper, an exit
  // elsewhere), its children (each in a process group of its own) must not outlive it.
  const killLeftovers = () => {
    for (const p of all) if (p.running()) p.child.kill('SIGKILL');
  };
  process.on('exit', killLeftovers);
  const stopAll = async () => {
    for (const s of stops.splice(0))
      await s().catch((err) => say(`while stopping: ${(err as Error).message}`));
    process.off('exit', killLeftovers);
  };

  try {
    // --- PostgreSQL: one server, the application's database and Temporal's two --------------------
    step(`starting PostgreSQL on :${ports.postgres}`);
    const startPg = () =>
      startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: ports.postgres, database: 'esign' });
    let pg: RunningPostgres | undefined = await startPg();
    stops.unshift(async () => pg?.stop());
    const temporalDbPassword = opts.appEnv?.TEMPORAL_DB_PASSWORD ?? 'temporal-trial-only';
    await ensureTemporalRole(pg.urlFor('postgres'), temporalDbPassword);

    // --- Temporal's schema job: deploy/temporal/setup-schema.sh, as compose runs it ---------------
    const serverEnv = readEnvFile(join(projectRoot, 'deploy/temporal/server.env'));
    step('Temporal schema job (deploy/temporal/setup-schema.sh)');
    await runToEnd(
      {
        name: 'temporal-schema',
        command: 'sh',
        args: [join(projectRoot, 'deploy/temporal/setup-schema.sh')],
        env: {
          ...baseEnv,
          SQL_HOST: '127.0.0.1',
          SQL_PORT: String(ports.postgres),
          SQL_USER: TEMPORAL_DB_USER,
          SQL_PASSWORD: temporalDbPassword,
          TEMPORAL_DB: serverEnv.DBNAME!,
          VISIBILITY_DB: serverEnv.VISIBILITY_DBNAME!,
          SCHEMA_ROOT: join(tools.serverDir, 'schema/postgresql/v12'),
        },
        logFile: join(logDir, 'temporal-schema.log'),
      },
      opts.signal,
    );

    // --- the Temporal server: its own config template, filled from the environment --------------
    const [historyGrpc, matchingGrpc, workerGrpc, frontendHttp, ...membership] = ports.temporalInternal;
    if (membership.some((p) => p > MAX_MEMBERSHIP_PORT)) {
      throw new Error(
        `Temporal's membership ports must be at most ${MAX_MEMBERSHIP_PORT} (it stores them as a smallint): got ${membership.join(', ')}`,
      );
    }
    const temporalEnv = {
      ...serverEnv,
      DB_PORT: String(ports.postgres),
      POSTGRES_PORT: String(ports.postgres),
      POSTGRES_SEEDS: '127.0.0.1',
      POSTGRES_USER: TEMPORAL_DB_USER,
      POSTGRES_PWD: temporalDbPassword,
      BIND_ON_IP: '127.0.0.1',
      LOG_LEVEL: opts.appEnv?.TEMPORAL_LOG_LEVEL ?? 'warn',
      DYNAMIC_CONFIG_FILE_PATH: await dynamicConfigFile(dataDir, opts.appEnv?.TASK_FAIRNESS !== 'off'),
      FRONTEND_GRPC_PORT: String(ports.temporal),
      FRONTEND_HTTP_PORT: String(frontendHttp),
      HISTORY_GRPC_PORT: String(historyGrpc),
      MATCHING_GRPC_PORT: String(matchingGrpc),
      WORKER_GRPC_PORT: String(workerGrpc),
      FRONTEND_MEMBERSHIP_PORT: String(membership[0]),
      HISTORY_MEMBERSHIP_PORT: String(membership[1]),
      MATCHING_MEMBERSHIP_PORT: String(membership[2]),
      WORKER_MEMBERSHIP_PORT: String(membership[3]),
    };
    const temporal = new Map<TemporalService | 'all', ManagedProcess>();
    const serverArgs = (services: readonly string[]) => [
      '--root',
      tools.serverDir,
      '--config',
      'config',
      '--env',
      'docker',
      '--allow-no-auth',
      'start',
      ...services.flatMap((s) => ['--service', s]),
    ];
    const serverBin = join(tools.serverDir, 'bin/temporal-server');
    // Whatever of the server has started by then is stopped, also if the start-up fails.
    stops.unshift(() => Promise.all([...temporal.values()].map((p) => p.stop())));
    if (opts.splitServices) {
      // History first, and alone until it listens: on an empty database every service that
      // starts writes the cluster's metadata record, and of two writing at once one loses and
      // exits ("failed to initialize current cluster metadata"). History listens only after the
      // record is written; the others then find it and only read it.
      step('starting the Temporal history service');
      const history = proc('temporal-history', serverBin, serverArgs(['history']), temporalEnv);
      temporal.set('history', history);
      await until(
        'the Temporal history service to listen',
        async () => {
          if (!history.running()) throw new ProcessExited('temporal history', history);
          return tcpListening(historyGrpc!);
        },
        120_000,
        opts.signal,
      );
      for (const s of ['matching', 'frontend', 'worker'] as const) {
        step(`starting the Temporal ${s} service`);
        temporal.set(s, proc(`temporal-${s}`, serverBin, serverArgs([s]), temporalEnv));
      }
    } else {
      step(`starting the Temporal server ${tools.serverVersion} on :${ports.temporal}`);
      temporal.set('all', proc('temporal', serverBin, serverArgs(TEMPORAL_SERVICES), temporalEnv));
    }
    const temporalAddress = `127.0.0.1:${ports.temporal}`;
    const untilTemporalServing = () =>
      until(
        'the Temporal frontend',
        async () => {
          for (const [name, p] of temporal) {
            if (!p.running()) throw new ProcessExited(`temporal ${name}`, p);
          }
          const c = await Connection.connect({ address: temporalAddress, connectTimeout: 2000 });
          try {
            await c.workflowService.getSystemInfo({});
            return true;
          } finally {
            await c.close();
          }
        },
        120_000,
        opts.signal,
      );
    await untilTemporalServing();

    // --- the namespace job: deploy/temporal/setup-namespace.sh ----------------------------------
    step('Temporal namespace job (deploy/temporal/setup-namespace.sh)');
    await runToEnd(
      {
        name: 'temporal-setup',
        command: 'sh',
        args: [join(projectRoot, 'deploy/temporal/setup-namespace.sh')],
        env: {
          ...baseEnv,
          ...readEnvFile(join(projectRoot, 'deploy/temporal/namespace.env')),
          TEMPORAL_ADDRESS: temporalAddress,
          NAMESPACE: namespace,
          NAMESPACE_RETENTION: opts.appEnv?.TEMPORAL_RETENTION ?? '720h',
        },
        logFile: join(logDir, 'temporal-setup.log'),
      },
      opts.signal,
    );

    // --- the Temporal UI, from its own config template ------------------------------------------
    const ui = proc(
      'temporal-ui',
      join(tools.uiDir, 'bin/ui-server'),
      ['--root', tools.uiDir, '--config', 'config', '--env', 'docker', 'start'],
      {
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_DEFAULT_NAMESPACE: namespace,
      },
    );
    stops.unshift(() => ui.stop());
    const uiUrl = `http://127.0.0.1:${ports.ui}`;

    // --- mail ------------------------------------------------------------------------------------
    let smtpUrl = opts.smtpUrl;
    let mailDir: string | undefined;
    if (!smtpUrl) {
      mailDir = join(dataDir, 'mail');
      const sink = await startSmtpSink({ port: ports.smtp, dir: mailDir });
      stops.unshift(() => sink.stop());
      smtpUrl = sink.url;
    }

    // --- the application's database: migrated, the development sender seeded -------------------
    const databaseUrl = pg.url;
    const db = createDb(databaseUrl, 5);
    stops.unshift(() => db.destroy());
    await migrateToLatest(db);
    await seedDevSender(db, opts.devSender.org, opts.devSender.apiKey);
    // The PKI, made once here: every process seals with the same keys (compose: one volume).
    const pkiDir = join(dataDir, 'pki');
    const publicUrl = opts.appEnv?.PUBLIC_URL ?? `http://localhost:${ports.proxy}`;
    await createSigningContext({ pkiDir, publicUrl });

    // The login: the local OpenID Connect provider, unless an issuer is given (ID-porten's test
    // environment, say). It runs in this process, as `npm run dev` runs it.
    let loginUrl = opts.appEnv?.OIDC_ISSUER;
    let loginEnv: Record<string, string> = {};
    if (!loginUrl) {
      const oidc = await startLocalOidcProvider({ port: ports.oidc, clients: [localClientFor(publicUrl)] });
      stops.unshift(() => oidc.close());
      loginUrl = oidc.issuer;
      loginEnv = localProviderEnv(oidc.issuer);
    }
    // People's signing keys at remote signing services (SIGNING_KEYS=csc): the local BankID and
    // Buypass in this process, unless CSC_PROVIDERS names real ones.
    let cscEnv: Record<string, string> = {};
    if (opts.appEnv?.SIGNING_KEYS === 'csc' && !opts.appEnv.CSC_PROVIDERS) {
      const started = [];
      for (const providerName of LOCAL_CSC_PROVIDER_NAMES) {
        // Any free port: only the API processes call it, by the URL in their environment.
        const provider = await startLocalCscProvider({
          port: 0,
          providerName,
          clients: [localCscClientFor(publicUrl)],
        });
        stops.unshift(() => provider.close());
        started.push(provider);
      }
      cscEnv = localCscEnv(started);
    }

    const appEnv: Record<string, string> = {
      // As in compose's x-app-env: the trial stand-ins of the registers.
      APP_ENV: 'development',
      ...loginEnv,
      ...cscEnv,
      SMS_GATEWAY: 'dev',
      CONTACT_REGISTER: 'dev',
      DIGITAL_MAILBOX: 'dev',
      LOG_LEVEL: 'info',
      ...opts.appEnv,
      HOST: '127.0.0.1',
      PUBLIC_URL: publicUrl,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      SMTP_URL: smtpUrl,
      DATA_DIR: join(dataDir, 'data'),
      PKI_DIR: pkiDir,
    };

    // --- API processes, then workers (the API migrates; compose starts workers after it) ---------
    const apis = ports.apis.map((port, i) =>
      proc(`api-${i + 1}`, process.execPath, ['dist/api/main.js'], {
        ...appEnv,
        PORT: String(port),
        TRUST_PROXY_HOPS: '1',
      }),
    );
    stops.unshift(() => Promise.all(apis.map((p) => p.stop(20_000))));
    const untilApiHealthy = (i: number) =>
      until(
        `API process ${i + 1}`,
        async () => {
          if (!apis[i]!.running()) throw new ProcessExited(`api-${i + 1}`, apis[i]!);
          return httpOk(`http://127.0.0.1:${ports.apis[i]}/healthz`)();
        },
        120_000,
        opts.signal,
      );
    step(`starting ${apis.length} API processes`);
    await Promise.all(apis.map((_, i) => untilApiHealthy(i)));

    const workers = ports.workers.map((w, i) =>
      proc(`worker-${i + 1}`, process.execPath, ['dist/worker/main.js'], {
        ...appEnv,
        // Before the caller's, so a run can compare other settings (BENCH_WORKER1_ENV).
        ...WORKER_PROCESS_ENV,
        ...opts.workerEnv,
        ...opts.workerEnvs?.[i],
        METRICS_PORT: String(w.metrics),
        TEMPORAL_METRICS_PORT: String(w.sdkMetrics),
      }),
    );
    stops.unshift(() => Promise.all(workers.map((p) => p.stop(30_000))));
    const workerHealthUrls = ports.workers.map((w) => `http://127.0.0.1:${w.metrics}/healthz`);
    const untilWorkerHealthy = (i: number) =>
      until(
        `worker process ${i + 1}`,
        async () => {
          if (!workers[i]!.running()) throw new ProcessExited(`worker-${i + 1}`, workers[i]!);
          return httpOk(workerHealthUrls[i]!)();
        },
        120_000,
        opts.signal,
      );
    step(`starting ${workers.length} worker processes`);
    await Promise.all(workers.map((_, i) => untilWorkerHealthy(i)));

    // --- the proxy -------------------------------------------------------------------------------
    const proxy = await startApiProxy({
      port: ports.proxy,
      upstreams: ports.apis.map((p) => `http://127.0.0.1:${p}`),
      maxBodyBytes: nginxBodyLimit(join(projectRoot, 'deploy/nginx/nginx.conf')),
      clientLimits: nginxClientLimits(join(projectRoot, 'deploy/nginx/nginx.conf')),
    });
    stops.unshift(() => proxy.stop());
    await until('the proxy', httpOk(`${proxy.url}/healthz`), 120_000, opts.signal);
    await until('the Temporal UI', httpOk(`${uiUrl}/healthz`), 120_000, opts.signal);

    return {
      proxyUrl: proxy.url,
      temporalAddress,
      namespace,
      uiUrl,
      loginUrl,
      databaseUrl,
      smtpUrl,
      ...(mailDir ? { mailDir } : {}),
      db,
      temporal,
      ui,
      apis,
      apiUrls: ports.apis.map((p) => `http://127.0.0.1:${p}`),
      workers,
      workerHealthUrls,
      proxy,
      postgres: () => {
        if (!pg) throw new Error('PostgreSQL is stopped');
        return pg;
      },
      async stopPostgres() {
        await pg?.stop();
        pg = undefined;
      },
      async startPostgres() {
        pg = await startPg();
      },
      untilApiHealthy,
      untilWorkerHealthy,
      untilTemporalServing,
      pids: () => all.filter((p) => p.running()).map((p) => p.pid),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The role the schema job and the server use: it creates Temporal's databases, so CREATEDB. */
async function ensureTemporalRole(adminUrl: string, password: string): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_roles where rolname = $1', [TEMPORAL_DB_USER]);
    const verb = exists.rowCount === 0 ? 'create' : 'alter';
    await client.query(
      `${verb} role ${TEMPORAL_DB_USER} with login createdb password ${client.escapeLiteral(password)}`,
    );
  } finally {
    await client.end();
  }
}
