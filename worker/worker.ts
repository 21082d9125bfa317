/**
 * Builds a Temporal worker for signature jobs. Used by the production entry point (main.ts), the
 * dev launcher and the tests, so every one of them runs the same wiring.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
    | 'maxCachedWorkflows'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'stickyQueueScheduleToStartTimeout'
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

/**
 * Slots per core when the operator sets none. A worker takes from the server only the tasks it
 * has a slot for; what it cannot run now stays queued at the server, where fairness and priority
 * order it (docs/scaling.md). The SDK's defaults (40 workflow tasks, 100 activities) let a
 * CPU-bound worker take a burst's tasks into its own memory, first come first served, where a
 * signature's packaging then waits behind another sender's notices. Workflow tasks are CPU work
 * on the worker's threads; activities mostly wait on the database, SMTP or a signing thread, so
 * a few more of them than cores keep the worker busy.
 */
export const SLOTS_PER_CORE = { workflowTasks: 2, activities: 4 } as const;

/** The tuning from the configuration; slots unset are sized to `cores`. */
export function workerTuningFromConfig(
  c: {
    WORKER_MAX_CONCURRENT_ACTIVITIES?: number | undefined;
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS?: number | undefined;
    WORKER_MAX_CACHED_WORKFLOWS?: number | undefined;
    WORKER_STICKY_TIMEOUT_MS?: number | undefined;
  },
  cores = availableParallelism(),
): NonNullable<SignatureWorkerOptions['tuning']> {
  return {
    maxConcurrentActivityTaskExecutions:
      c.WORKER_MAX_CONCURRENT_ACTIVITIES ?? SLOTS_PER_CORE.activities * cores,
    // Two per core is never under the SDK's minimum of 2 (one for the sticky, one for the shared
    // queue).
    maxConcurrentWorkflowTaskExecutions:
      c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? SLOTS_PER_CORE.workflowTasks * cores,
    ...(c.WORKER_MAX_CACHED_WORKFLOWS !== undefined
      ? { maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS }
      : {}),
    ...(c.WORKER_STICKY_TIMEOUT_MS !== undefined
      ? { stickyQueueScheduleToStartTimeout: c.WORKER_STICKY_TIMEOUT_MS }
      : {}),
  };
}
