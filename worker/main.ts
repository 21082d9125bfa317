/** Production entry of the worker process: `npm run worker` (after `npm run build`). */
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../src/config.js';
import { createDb } from '../src/db/index.js';
import { createLogger } from '../src/log.js';
import { createServiceParts } from '../src/runtime.js';
import { createSignatureWorker } from './worker.js';

const config = loadConfigOrExit('worker');
const log = createLogger(config.LOG_LEVEL, 'worker');
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const { signing, notifications, prices } = await createServiceParts(db, config);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const worker = await createSignatureWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  deps: { db, signing, notifications, prices, publicUrl: config.PUBLIC_URL },
});
log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker started');
// worker.run() returns after SIGINT/SIGTERM, once running activities have finished.
await worker.run();
await connection.close();
await db.destroy();
log.info('worker stopped');
