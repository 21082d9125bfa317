/**
 * `npm run dev`: the whole service on embedded defaults, in one process tree.
 * Starts (unless an existing one is named by env): the Temporal dev server with its Web UI,
 * PostgreSQL, an SMTP sink; then migrations, the development sender, the worker and the API.
 * Ctrl-C / SIGTERM stops everything; data stays in DATA_DIR for the next start.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { createApp } from '../api/app.js';
import { apiDepsFromConfig } from '../api/deps-from-config.js';
import { httpLimitsFromConfig, listen } from '../api/http/server.js';
import { listenXmlApi, xmlApiSetup } from '../api/xml-api-listener.js';
import { ensureArchiveRenewalSchedule } from '../src/archive/schedule.js';
import { ConfigError, loadConfig, otlpTracesUrl } from '../src/config.js';
import {
  LOCAL_CSC_PROVIDER_NAMES,
  type LocalCscProvider,
  localCscClientFor,
  localCscEnv,
  startLocalCscProvider,
} from '../src/dev/csc-provider.js';
import { startEmbeddedPostgres, unreachableDataDirMessage } from '../src/dev/embedded-postgres.js';
import { localClientFor, localProviderEnv, startLocalOidcProvider } from '../src/dev/oidc-provider.js';
import { startSmtpSink } from '../src/dev/smtp-sink.js';
import { startTemporalDevServer } from '../src/dev/temporal-server.js';
import { createEidProvider, EidConfigError, OidcSetupError } from '../src/eid/index.js';
import { ensureRetentionSchedule } from '../src/job/retention-schedule.js';
import { createLogger } from '../src/log.js';
import { seedDevContactRegister } from '../src/notifications/dev-register-seed.js';
import { testPopulation } from '../src/notifications/test-population.js';
import { tracingFromConfig } from '../src/observability/tracing.js';
import { startWorkerTelemetry, workerTelemetryOptions } from '../src/observability/worker-telemetry.js';
import { grantRole } from '../src/portal/roles.js';
import { isValidOrganisationNumber } from '../src/rules/identity.js';
import { connectTemporal, createServiceParts, openDatabase, seedDevSender } from '../src/runtime.js';
import { startStrandedJobSweeper } from '../src/services/stranded-jobs.js';
import { createSignatureWorker, workerTuningFromConfig } from '../worker/worker.js';

const port = z.coerce.number().int().min(1).max(65535);
const devEnv = z.object({
  DATA_DIR: z.string().min(1).default('.data'),
  PORT: port.default(3000),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  PG_PORT: port.default(5433),
  SMTP_PORT: port.default(2525),
  OIDC_PORT: port.default(3001),
  /** With SIGNING_KEYS=csc and no CSC_PROVIDERS: the local BankID and Buypass on this port and the next. */
  CSC_PORT: port.default(3002),
  /** The XML API (the national service's protocol) over mutual TLS; 0 turns it off. */
  XML_API_PORT: z.coerce.number().int().min(0).max(65535).default(3443),
  DEV_SENDER_ORG: z
    .string()
    .refine(isValidOrganisationNumber, 'must be a valid 9-digit organisation number')
    .default('987654325'),
  DEV_API_KEY: z.string().min(8).default('dev-api-key'),
});

function fail(message: string): never {
  console.error(`npm run dev: ${message}`);
  process.exit(1);
}

const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
const parsedDev = devEnv.safeParse(env);
if (!parsedDev.success) {
  fail(parsedDev.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
}
const dev = parsedDev.data;
const dataDir = resolve(dev.DATA_DIR);
// Before anything starts: as root, the embedded PostgreSQL's user must reach its data folder.
const unreachable = env.DATABASE_URL ? null : unreachableDataDirMessage(`${dataDir}/postgres`);
if (unreachable) fail(unreachable);
await mkdir(dataDir, { recursive: true });
const stops: (() => Promise<unknown>)[] = [];
const say = (line: string) => console.log(`[dev] ${line}`);

try {
  // 1. Temporal: an existing server, or the dev server on a SQLite file in the data dir.
  let temporalAddress = env.TEMPORAL_ADDRESS;
  let temporalUi = env.TEMPORAL_UI_URL ?? '(your Temporal UI)';
  if (!temporalAddress) {
    say(`starting the Temporal dev server on :${dev.TEMPORAL_PORT} (UI :${dev.TEMPORAL_UI_PORT})`);
    const t = await startTemporalDevServer({
      dbFile: `${dataDir}/temporal.sqlite`,
      port: dev.TEMPORAL_PORT,
      uiPort: dev.TEMPORAL_UI_PORT,
    });
    stops.push(t.stop);
    temporalAddress = t.address;
    temporalUi = `http://localhost:${dev.TEMPORAL_UI_PORT}`;
  }

  // 2. PostgreSQL: an existing one, or the embedded server with its data in the data dir.
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say(`starting PostgreSQL on :${dev.PG_PORT}`);
    const pg = await startEmbeddedPostgres({
      dataDir: `${dataDir}/postgres`,
      port: dev.PG_PORT,
      database: 'esign',
    });
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }

  // 3. SMTP: an existing relay, or a sink that keeps every message as a file.
  let smtpUrl = env.SMTP_URL;
  if (!smtpUrl) {
    const sink = await startSmtpSink({ port: dev.SMTP_PORT, dir: `${dataDir}/mail` });
    stops.push(sink.stop);
    smtpUrl = sink.url;
  }

  // People's signing keys at remote signing services: the local ones unless CSC_PROVIDERS names
  // real ones. Only when asked for (SIGNING_KEYS=csc): the default test keys need no provider,
  // and two more servers with their own CAs would only be noise in every other session.
  const publicUrl = env.PUBLIC_URL ?? devPublicUrl(env.HOST, dev.PORT);
  let cscEnv: Record<string, string> = {};
  const localCsc: LocalCscProvider[] = [];
  if (env.SIGNING_KEYS === 'csc' && !env.CSC_PROVIDERS) {
    for (const [i, providerName] of LOCAL_CSC_PROVIDER_NAMES.entries()) {
      say(`starting the local remote signing service ${providerName} (CSC API v2) on :${dev.CSC_PORT + i}`);
      const provider = await startLocalCscProvider({
        port: dev.CSC_PORT + i,
        providerName,
        // The API's PUBLIC_URL as loadConfig below will derive it.
        clients: [localCscClientFor(publicUrl ?? `http://${env.HOST}:${dev.PORT}`)],
      });
      stops.unshift(() => provider.close());
      localCsc.push(provider);
    }
    cscEnv = localCscEnv(localCsc);
  }

  const config = loadConfig({
    ...env,
    ...cscEnv,
    APP_ENV: env.APP_ENV ?? 'development',
    PORT: String(dev.PORT),
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: temporalAddress,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
    // One public base for every link the service hands out (notices, redirect URLs, the API
    // reference), the same as the README's walkthrough uses: localhost, not 127.0.0.1, so a
    // login made on one link carries over to the next.
    PUBLIC_URL: publicUrl,
    // The XML API on its development default port (3443), from the development enterprise PKI
    // unless XML_API_TLS_* name PEM files; its root on localhost, as the CLI prints it.
    XML_API_PORT: String(dev.XML_API_PORT),
    XML_API_PUBLIC_URL: env.XML_API_PUBLIC_URL ?? `https://localhost:${dev.XML_API_PORT}/xml-api`,
  });
  const log = createLogger(config.LOG_LEVEL, 'dev');

  // 4. Login: an OpenID Connect provider named by OIDC_ISSUER, or the local one (TestID-like page).
  let loginEnv: Record<string, string | undefined> = env;
  let localIssuer: string | undefined;
  if (!env.OIDC_ISSUER) {
    say(`starting the local OpenID Connect provider on :${dev.OIDC_PORT}`);
    const oidc = await startLocalOidcProvider({
      port: dev.OIDC_PORT,
      clients: [localClientFor(config.PUBLIC_URL)],
    });
    stops.unshift(() => oidc.close());
    localIssuer = oidc.issuer;
    loginEnv = { ...env, ...localProviderEnv(oidc.issuer) };
  }
  // A configuration error here is thrown, so everything started so far is stopped before exiting.
  const eid = await createEidProvider(loginEnv);

  const db = await openDatabase(config.DATABASE_URL);
  stops.unshift(() => db.destroy());
  await seedDevSender(db, dev.DEV_SENDER_ORG, dev.DEV_API_KEY);
  // Test people in the development contact register (some reserved, some without contact details).
  await seedDevContactRegister(db);
  // A member of the development sender's staff, so the sender portal can be tried at once.
  const staff = testPopulation.find((p) => p.name === 'Per Johansen')!;
  await grantRole(db, { pid: staff.pid, org: dev.DEV_SENDER_ORG, role: 'SENDER' });
  // The development PKI (root, seal, time-stamping authority, test eID CA) lives in the data dir.
  const parts = await createServiceParts(db, config, env);
  const { signing, notifications, prices, storage, archivePolicy } = parts;

  // The worker's /metrics and /healthz on METRICS_PORT (9464), the SDK's metrics behind it on
  // TEMPORAL_METRICS_PORT (9465), tracing if OTEL_EXPORTER_OTLP_ENDPOINT is set: as the worker
  // process has them. The Temporal Runtime must be set before the worker's first connection.
  const workerLog = createLogger(config.LOG_LEVEL, 'worker');
  const telemetry = await startWorkerTelemetry(workerTelemetryOptions(config, workerLog));
  stops.unshift(() => telemetry.close());
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createSignatureWorker({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { db, signing, notifications, prices, storage, archivePolicy, publicUrl: config.PUBLIC_URL },
    ...telemetry.workerOptions,
    tuning: workerTuningFromConfig(config),
    log: workerLog,
  });
  telemetry.watch(worker);
  const workerDone = worker.run();
  stops.unshift(async () => {
    // On Ctrl-C the Temporal Runtime's own signal handler has begun the shutdown already.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone;
    await workerConnection.close();
  });

  const apiTracing = tracingFromConfig(config, 'esign-api');
  stops.unshift(async () => apiTracing?.shutdown());
  const temporal = await connectTemporal(
    config.TEMPORAL_ADDRESS,
    config.TEMPORAL_NAMESPACE,
    apiTracing ? [apiTracing.plugin] : [],
  );
  stops.unshift(() => temporal.connection.close());
  // The long-term archive's daily run (visible under Schedules in the Temporal UI).
  await ensureArchiveRenewalSchedule(temporal, { taskQueue: config.TEMPORAL_TASK_QUEUE });
  // The hourly retention sweep: deletes documents whose retention has ended (docs/workflow.md).
  await ensureRetentionSchedule(temporal, { taskQueue: config.TEMPORAL_TASK_QUEUE });
  const apiDeps = apiDepsFromConfig({ db, temporal, config, log, eid, parts, mailDir: `${dataDir}/mail` });

  const http = await listen(
    createApp(apiDeps),
    config.HOST,
    config.PORT,
    undefined,
    httpLimitsFromConfig(config),
  );
  stops.unshift(() => http.close());

  // The XML API over mutual TLS (api/xml-api-listener.ts): our server certificate carries the
  // service's organisation number; client certificates must come from the enterprise CA.
  const xmlApi = await xmlApiSetup(config);
  if (xmlApi) {
    const tlsApi = await listenXmlApi(apiDeps, xmlApi, httpLimitsFromConfig(config));
    stops.unshift(() => tlsApi.close());
  }
  const stopSweeper = startStrandedJobSweeper({ db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }, log);
  stops.unshift(async () => stopSweeper());

  const api = config.PUBLIC_URL;
  // The embedded PostgreSQL's password is the fixed development one (loopback only), so its URL is
  // printed whole, ready for the admin CLI; a DATABASE_URL of your own keeps its password masked.
  const tracesUrl = otlpTracesUrl(config);
  console.log(`
  E-signing service is running (data in ${dataDir})

    API            ${api}/api/${dev.DEV_SENDER_ORG}/portal/signature-jobs
    Health         ${api}/healthz
    Metrics        ${api}/metrics   worker: ${telemetry.server?.url ?? 'off (METRICS_PORT=0)'}
    Worker health  ${telemetry.server?.healthUrl ?? 'off (METRICS_PORT=0)'}
    Tracing        ${tracesUrl ? tracesUrl.replace(/:[^:@/]+@/, ':***@') : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT)'}
    Temporal UI    ${temporalUi}   (filter: SenderOrganization="${dev.DEV_SENDER_ORG}")
    Temporal       ${config.TEMPORAL_ADDRESS}
    PostgreSQL     ${env.DATABASE_URL ? config.DATABASE_URL.replace(/:[^:@/]+@/, ':***@') : `${config.DATABASE_URL}   (the admin CLI: DATABASE_URL=${config.DATABASE_URL} npm run cli -- …)`}
    Documents      ${storage.kind === 'filesystem' ? config.DOCUMENT_STORE_DIR : 'PostgreSQL (table blobs)'}
    SMTP           ${smtpUrl}${smtpUrl.includes('127.0.0.1') && !env.SMTP_URL ? `  (messages kept in ${dataDir}/mail)` : ''}

    Development sender  ${dev.DEV_SENDER_ORG}
    API key             ${dev.DEV_API_KEY}

    Login          ${localIssuer ? `${localIssuer}  (local OpenID Connect provider: type a test identity number, pick the level)` : `${loginEnv.OIDC_ISSUER} (${eid.name})`}
    Signing keys   ${
      localCsc.length > 0
        ? localCsc.map((p) => `${p.providerName} ${p.baseUrl}`).join(', ') +
          '  (local remote signing services; their CAs at /pki/ca.pem)'
        : config.SIGNING_KEYS === 'csc'
          ? config.CSC_PROVIDERS.map((p) => `${p.name} ${p.baseUrl}`).join(', ')
          : (config.SIGNING_KEYS ?? 'test')
    }
    XML API        ${xmlApi ? `${xmlApi.options.publicUrl}   (mutual TLS; the official clients' service URL)` : 'off (XML_API_PORT=0)'}${
      xmlApi?.developmentPki
        ? `
                   server organisation number ${xmlApi.developmentPki.serviceOrg}, CA directory ${xmlApi.developmentPki.caDirectory}
                   a sender certificate: ${dev.XML_API_PORT === 3443 ? '' : `XML_API_PORT=${dev.XML_API_PORT} `}npm run cli -- enterprise-certificates issue --org ${dev.DEV_SENDER_ORG}`
        : ''
    }

    Sender portal  ${api}/sender       log in as ${staff.pid} (${staff.name}), level 4
    Signing portal ${api}/portal       test people: ${testPopulation
      .slice(0, 3)
      .map((p) => `${p.pid} (${p.name})`)
      .join(', ')}
    Dev outbox     ${api}/dev/mail  ${api}/dev/sms  ${api}/dev/mailbox
    API docs       ${api}/docs

  Ctrl-C stops everything.
`);
} catch (err) {
  await stopAll();
  if (err instanceof ConfigError || err instanceof EidConfigError || err instanceof OidcSetupError) {
    fail(err.message);
  }
  fail((err as Error).message ?? String(err));
}

let stopping = false;
async function stopAll() {
  for (const stop of stops.splice(0)) {
    try {
      await stop();
    } catch (err) {
      console.error(`[dev] while stopping: ${(err as Error).message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    await stopAll();
    process.exit(0);
  });
}

/** http://localhost:PORT while the server listens on a loopback or every address; else unset. */
function devPublicUrl(host: string | undefined, port: number): string | undefined {
  const loopback =
    host === undefined || host === '0.0.0.0' || host === 'localhost' || host.startsWith('127.');
  return loopback ? `http://localhost:${port}` : undefined;
}
