/** Production entry of the API process: `npm run api` (after `npm run build`). */
import { readFile } from 'node:fs/promises';
import { loadConfigOrExit } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { loadNotificationConfig } from '../src/notifications/config.js';
import { seedDevContactRegister } from '../src/notifications/contact-register.js';
import { tracingFromConfig } from '../src/observability/tracing.js';
import { connectTemporal, createLoginOrExit, createServiceParts, openDatabase } from '../src/runtime.js';
import { startStrandedJobSweeper } from '../src/services/stranded-jobs.js';
import { certificatesFromPem } from '../src/signing/keys.js';
import { createApp } from './app.js';
import { apiDepsFromConfig } from './deps-from-config.js';
import { httpLimitsFromConfig, listen } from './server.js';

const config = loadConfigOrExit('api');
const log = createLogger(config.LOG_LEVEL, 'api');
// The login provider's discovery first: a missing OIDC variable or an unreachable issuer is a
// configuration error (exit 78), found before anything else is opened.
const eid = await createLoginOrExit('api');
const db = await openDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
// Off unless OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set: a span per workflow start, update and
// query, whose context travels to the worker in the Temporal headers.
const tracing = tracingFromConfig(config, 'esign-api');
const temporal = await connectTemporal(
  config.TEMPORAL_ADDRESS,
  config.TEMPORAL_NAMESPACE,
  tracing ? [tracing.plugin] : [],
);
const parts = await createServiceParts(db, config);
// CONTACT_REGISTER=dev (the default outside production, compose's trial default): the register
// is a table that only holds what is seeded; the API migrates, so it seeds the synthetic test
// people (as `npm run dev` does) rather than leave every lookup CONTACT_INFORMATION_MISSING.
if (loadNotificationConfig({ ...process.env, APP_ENV: config.APP_ENV }).CONTACT_REGISTER === 'dev') {
  await seedDevContactRegister(db);
  log.warn('CONTACT_REGISTER=dev: the development contact register holds only the synthetic test people');
}
const apiDeps = apiDepsFromConfig({ db, temporal, config, log, eid, parts });
const app = createApp(apiDeps);
const http = await listen(app, config.HOST, config.PORT, undefined, httpLimitsFromConfig(config));
log.info({ url: config.PUBLIC_URL, tracing: Boolean(tracing) }, 'API listening');
const xmlApi = config.XML_API_PORT ? await listenXmlApi() : undefined;

/**
 * The national service's XML API on its own port, over mutual TLS (the same app with `/xml-api`
 * mounted): client certificates and senders' seals must chain to the configured enterprise CAs.
 */
async function listenXmlApi() {
  const [cert, key, ca] = await Promise.all(
    [config.XML_API_TLS_CERT_FILE!, config.XML_API_TLS_KEY_FILE!, config.XML_API_CLIENT_CA_FILE!].map((f) =>
      readFile(f, 'utf8'),
    ),
  );
  const publicUrl = config.XML_API_PUBLIC_URL ?? `https://${config.HOST}:${config.XML_API_PORT}/xml-api`;
  const server = await listen(
    createApp({
      ...apiDeps,
      // Reached directly or through a TCP passthrough (the compose proxy's stream block): no
      // proxy on the way writes X-Forwarded-For, so one arriving here is the client's own claim.
      config: { ...config, TRUST_PROXY_HOPS: 0 },
      xmlApi: { publicUrl, trustAnchors: certificatesFromPem(ca!) },
    }),
    config.HOST,
    config.XML_API_PORT,
    { cert: cert!, key: key!, ca: ca!, requestCert: true },
  );
  log.info({ url: publicUrl }, 'XML API listening');
  return server;
}
const stopSweeper = startStrandedJobSweeper({ db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }, log);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    log.info({ signal }, 'API stopping');
    stopSweeper();
    await http.close();
    await xmlApi?.close();
    await temporal.connection.close();
    await db.destroy();
    await tracing?.shutdown();
    process.exit(0);
  });
}
