/** Production entry of the worker process: `npm run worker` (after `npm run build`). */
import { NativeConnection } from '@temporalio/worker';
import { ensureArchiveRenewalSchedule } from '../src/archive/schedule.js';
import { loadConfigOrExit } from '../src/config.js';
import { createDb } from '../src/db/index.js';
import { ensureRetentionSchedule } from '../src/job/retention-schedule.js';
import { createLogger } from '../src/log.js';
import { scrubPersonalData } from '../src/observability/logging.js';
import { startWorkerTelemetry, workerTelemetryOptions } from '../src/observability/worker-telemetry.js';
import { connectTemporal, createServiceParts } from '../src/runtime.js';
import { createSignatureWorker, workerTuningFromConfig } from './worker.js';
import { prebuiltWorkflowBundle } from './workflow-bundle.js';

const config = loadConfigOrExit('worker');
const log = createLogger(config.LOG_LEVEL, 'worker');
// First: the Temporal Runtime (SDK metrics and log lines) is set once, before any connection;
// /healthz answers 503 from here until the worker polls.
const telemetry = await startWorkerTelemetry(workerTelemetryOptions(config, log));
if (telemetry.server) {
  log.info({ metrics: telemetry.server.url, health: telemetry.server.healthUrl }, 'metrics server listening');
}
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const { signing, notifications, prices, storage, archivePolicy } = await createServiceParts(db, config);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
// Tracing's workflow interceptors exist only in a bundle made with its plugin: bundle at start then.
const bundlePath =
  config.WORKFLOW_BUNDLE === 'prebuilt' && !telemetry.tracing ? prebuiltWorkflowBundle() : undefined;
const worker = await createSignatureWorker({
  connection,
  ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  deps: { db, signing, notifications, prices, storage, archivePolicy, publicUrl: config.PUBLIC_URL },
  ...telemetry.workerOptions,
  tuning: workerTuningFromConfig(config),
  log,
});
// The long-term archive's daily run and the hourly retention sweep: the first worker to start
// creates their schedules.
{
  const client = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const schedule = await ensureArchiveRenewalSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE });
  const retention = await ensureRetentionSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE });
  await client.connection.close();
  log.info({ schedule, retention }, 'long-term archive renewal and retention schedules in place');
}
telemetry.watch(worker);
log.info(
  {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    temporal: config.TEMPORAL_ADDRESS,
    tracing: Boolean(telemetry.tracing),
    workflowBundle: bundlePath ? 'prebuilt' : 'bundled at start',
  },
  'worker started',
);
// worker.run() returns after SIGINT/SIGTERM, once running activities have finished; it throws
// when the worker fails for good. Either way /healthz is 503 from then on, until the exit.
let failed = false;
try {
  await worker.run();
} catch (err) {
  failed = true;
  log.error({ error: scrubPersonalData(String(err)) }, 'worker failed');
}
await connection.close();
await db.destroy();
await telemetry.close();
log.info('worker stopped');
if (failed) process.exitCode = 1;
