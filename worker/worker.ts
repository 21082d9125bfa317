/**
 * Builds a Temporal worker for signature jobs. Used by the production entry point (main.ts), the
 * dev launcher and the tests, so every one of them runs the same wiring.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { heartbeatInterceptor } from '../activities/heartbeat.js';
import { type ActivityDeps, createActivities } from '../activities/index.js';
import { TASK_QUEUE } from '../src/job/model.js';
import type { Logger } from '../src/log.js';
import { activityLogInterceptor } from '../src/observability/activity-logging.js';
import { activityMetricsInterceptor } from '../src/observability/activity-metrics.js';
import type { WorkerMetrics } from '../src/observability/metrics.js';

/** The workflow sources: the TypeScript file under tsx and tests, the built JS in production. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

export interface SignatureWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests bundle once for all workers); otherwise bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  /** Further tuning (cache size, concurrency) for this deployment or test. */
  tuning?: Pick<
    WorkerOptions,
    'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'
  >;
  /** Activity attempts and failures, notices sent, packaging time (src/observability/metrics.ts). */
  metrics?: WorkerMetrics;
  /** Where notices sent and packagings done are logged, with job id and workflow id. */
  log?: Logger;
  /**
   * Temporal plugins: the OpenTelemetry one when tracing is on (src/observability/tracing.ts).
   * Its workflow interceptors are bundled only when this worker bundles the workflows itself
   * (no `workflowBundle`); a prebuilt bundle must have been built with the same plugins.
   */
  plugins?: WorkerOptions['plugins'];
}

export async function createSignatureWorker(o: SignatureWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: o.taskQueue ?? TASK_QUEUE,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: createActivities({
      ...o.deps,
      ...(o.metrics ? { metrics: o.metrics } : {}),
      ...(o.log ? { log: o.log } : {}),
    }),
    interceptors: {
      // The job id on the SDK's activity log lines; heartbeats where the workflow asks for them;
      // every attempt timed and failures counted.
      activity: [
        activityLogInterceptor(),
        heartbeatInterceptor(),
        ...(o.metrics ? [activityMetricsInterceptor(o.metrics)] : []),
      ],
    },
    ...(o.plugins?.length ? { plugins: o.plugins } : {}),
    ...(o.identity ? { identity: o.identity } : {}),
    ...o.tuning,
    // A worker being shut down finishes the activity it runs (a notice, a packaging) first.
    shutdownGraceTime: '10 seconds',
  });
}

/** The tuning an operator set through the configuration (unset options keep the SDK defaults). */
export function workerTuningFromConfig(c: {
  WORKER_MAX_CONCURRENT_ACTIVITIES?: number | undefined;
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS?: number | undefined;
  WORKER_MAX_CACHED_WORKFLOWS?: number | undefined;
}): NonNullable<SignatureWorkerOptions['tuning']> {
  return {
    ...(c.WORKER_MAX_CONCURRENT_ACTIVITIES
      ? { maxConcurrentActivityTaskExecutions: c.WORKER_MAX_CONCURRENT_ACTIVITIES }
      : {}),
    ...(c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS
      ? { maxConcurrentWorkflowTaskExecutions: c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }
      : {}),
    ...(c.WORKER_MAX_CACHED_WORKFLOWS !== undefined
      ? { maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS }
      : {}),
  };
}
