/** Production entry of the API process: `npm run api` (after `npm run build`). */
import { ConfigError, loadConfigOrExit } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { loadNotificationConfig } from '../src/notifications/config.js';
import { tracingFromConfig } from '../src/observability/tracing.js';
import { connectTemporal, createLoginOrExit, createServiceParts, openDatabase } from '../src/runtime.js';
import { startStrandedJobSweeper } from '../src/services/stranded-jobs.js';
import { createApp } from './app.js';
import { apiDepsFromConfig } from './deps-from-config.js';
import { httpLimitsFromConfig, listen } from './http/server.js';
import { listenXmlApi, xmlApiSetup as loadXmlApiSetup } from './xml-api-listener.js';

const config = loadConfigOrExit('api');
const log = createLogger(config.LOG_LEVEL, 'api');
// The XML API's certificates (PEM files; the development PKI outside production): a missing file
// is a configuration error (exit 78), found before anything is opened.
const xmlApiSetup = await loadXmlApiSetup(config).catch((err: unknown) => {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`api: ${err.message}`);
  return process.exit(78);
});
// The login provider's discovery: a missing OIDC variable or an unreachable issuer is a
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
  // Loaded only here: the test population never enters a production process that asks for none.
  const { seedDevContactRegister } = await import('../src/notifications/dev-register-seed.js');
  await seedDevContactRegister(db);
  log.warn('CONTACT_REGISTER=dev: the development contact register holds only the synthetic test people');
}
const apiDeps = apiDepsFromConfig({ db, temporal, config, log, eid, parts });
const app = createApp(apiDeps);
const http = await listen(app, config.HOST, config.PORT, undefined, httpLimitsFromConfig(config));
log.info({ url: config.PUBLIC_URL, tracing: Boolean(tracing) }, 'API listening');
// The national service's XML API on its own port, over mutual TLS (see xml-api-listener.ts).
const xmlApi = xmlApiSetup
  ? await listenXmlApi(apiDeps, xmlApiSetup, httpLimitsFromConfig(config))
  : undefined;
if (xmlApiSetup) {
  const { publicUrl } = xmlApiSetup.options;
  log.info({ url: publicUrl, developmentPki: Boolean(xmlApiSetup.developmentPki) }, 'XML API listening');
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
