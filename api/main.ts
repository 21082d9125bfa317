/** Production entry of the API process: `npm run api` (after `npm run build`). */
import { loadConfigOrExit } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { connectTemporal, createServiceParts, openDatabase } from '../src/runtime.js';
import { createApp } from './app.js';
import { listen } from './server.js';

const config = loadConfigOrExit('api');
const log = createLogger(config.LOG_LEVEL, 'api');
const db = await openDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
const { signing, eid, notifications } = await createServiceParts(db, config);
const app = createApp({
  db,
  temporal,
  config,
  log,
  signing,
  eid,
  allowPrivateCallbackTargets: notifications.allowPrivateCallbackTargets,
});
const http = await listen(app, config.HOST, config.PORT);
log.info({ url: config.PUBLIC_URL }, 'API listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    log.info({ signal }, 'API stopping');
    await http.close();
    await temporal.connection.close();
    await db.destroy();
    process.exit(0);
  });
}
