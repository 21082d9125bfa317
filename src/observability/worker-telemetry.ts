/**
 * The worker process's telemetry, wired in one place so worker/main.ts, `npm run dev` and the
 * tests run the same: the Temporal Runtime (the SDK's metrics and log lines), the worker's
 * prom-client metrics, the `/metrics` + `/healthz` server, and tracing when it is on.
 *
 *   const telemetry = await startWorkerTelemetry(workerTelemetryOptions(config, log)); // before connecting
 *   const worker = await createSignatureWorker({ ..., ...telemetry.workerOptions });
 *   telemetry.watch(worker);
 *   await worker.run();
 *   await telemetry.close();
 */
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createMetricsRegistry, createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { type HealthStatus, type MetricsServer, startMetricsServer } from './metrics-server.js';
import { installTemporalRuntime } from './temporal-runtime.js';
import { type Tracing, tracingFromConfig } from './tracing.js';

export interface WorkerTelemetryOptions {
  /** The /metrics and /healthz server; without it none (METRICS_PORT=0). Port 0: a free one. */
  server?: { host: string; port: number };
  /**
   * Installs the Temporal Runtime, which must happen before the process's first Temporal
   * connection (and once per process): the SDK's log lines through `log`, and with
   * `prometheusPort` the SDK core's metrics on 127.0.0.1:<port>, appended to /metrics.
   * Without it the SDK keeps its defaults (tests that create the Runtime themselves).
   */
  temporalRuntime?: { log?: Logger; prometheusPort?: number };
  /** Tracing (tracingFromConfig); undefined: off. */
  tracing?: Tracing;
}

export interface WorkerTelemetry {
  registry: Registry;
  metrics: WorkerMetrics;
  tracing: Tracing | undefined;
  server: MetricsServer | undefined;
  /** For createSignatureWorker: the metrics, and the tracing plugin when tracing is on. */
  workerOptions: { metrics: WorkerMetrics; plugins: NonNullable<WorkerOptions['plugins']> };
  /** /healthz follows this worker from now on: 200 while it runs, 503 before and after. */
  watch(worker: Pick<Worker, 'getState'>): void;
  /** Flushes the spans not yet exported and closes the server (the Runtime stays: process-wide). */
  close(): Promise<void>;
}

/** The options for this configuration: METRICS_PORT, TEMPORAL_METRICS_PORT, OTEL_*. */
export function workerTelemetryOptions(
  config: Pick<
    Config,
    | 'HOST'
    | 'METRICS_PORT'
    | 'TEMPORAL_METRICS_PORT'
    | 'OTEL_EXPORTER_OTLP_ENDPOINT'
    | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    | 'OTEL_SDK_DISABLED'
  >,
  log: Logger,
): WorkerTelemetryOptions {
  const tracing = tracingFromConfig(config, 'esign-worker');
  const serving = config.METRICS_PORT !== 0;
  return {
    ...(serving ? { server: { host: config.HOST, port: config.METRICS_PORT } } : {}),
    temporalRuntime: {
      log,
      // Nobody would read the SDK's exporter without the server that merges it.
      ...(serving && config.TEMPORAL_METRICS_PORT !== 0
        ? { prometheusPort: config.TEMPORAL_METRICS_PORT }
        : {}),
    },
    ...(tracing ? { tracing } : {}),
  };
}

export async function startWorkerTelemetry(o: WorkerTelemetryOptions): Promise<WorkerTelemetry> {
  const prometheusPort = o.temporalRuntime?.prometheusPort;
  if (o.temporalRuntime) {
    installTemporalRuntime({
      ...(o.temporalRuntime.log ? { log: o.temporalRuntime.log } : {}),
      // Loopback only: the worker's own server is the one endpoint exposed for scraping.
      ...(prometheusPort ? { prometheusBindAddress: `127.0.0.1:${prometheusPort}` } : {}),
      globalTags: { service: 'esign-worker' },
    });
  }
  const registry = createMetricsRegistry();
  const metrics = createWorkerMetrics(registry);

  let health: () => HealthStatus = () => ({ ok: false, status: 'STARTING' });
  const server = o.server
    ? await startMetricsServer({
        registry,
        host: o.server.host,
        port: o.server.port,
        ...(prometheusPort ? { temporalMetricsUrl: `http://127.0.0.1:${prometheusPort}/metrics` } : {}),
        health: () => health(),
      })
    : undefined;

  return {
    registry,
    metrics,
    tracing: o.tracing,
    server,
    workerOptions: { metrics, plugins: o.tracing ? [o.tracing.plugin] : [] },
    watch(worker) {
      // The SDK's own state: RUNNING only between run() starting to poll and a shutdown or a
      // fatal error (STOPPING, DRAINING, DRAINED, STOPPED, FAILED).
      health = () => {
        const state = worker.getState();
        return { ok: state === 'RUNNING', status: state };
      };
    },
    async close() {
      await o.tracing?.shutdown();
      await server?.close();
    },
  };
}
