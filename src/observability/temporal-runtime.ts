/**
 * The Temporal SDK's own telemetry: its metrics (task slots, poll latency, workflow and activity
 * task timings, sticky cache, ...) exported by the SDK core, and its log lines sent through pino.
 *
 * The Runtime is a process-wide singleton created on first use, so this must run before the first
 * NativeConnection / Worker is created, once per process (in the worker's main, before connecting).
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, type RuntimeOptions, type TelemetryOptions } from '@temporalio/worker';
import type { Logger } from '../log.js';
import { scrubPersonalData } from './logging.js';

export interface TemporalRuntimeOptions {
  /**
   * Serve the SDK's metrics for Prometheus at `http://<bindAddress>/metrics`, e.g.
   * '127.0.0.1:9465' (scraped through the worker's metrics server) or '0.0.0.0:9465'.
   */
  prometheusBindAddress?: string;
  /** Push the SDK's metrics to an OpenTelemetry collector instead (OTLP/gRPC, or HTTP if `http`). */
  otel?: { url: string; http?: boolean; headers?: Record<string, string>; exportIntervalMs?: number };
  /** Send the SDK's log lines (TS and core) through this pino logger instead of stderr. */
  log?: Logger;
  /** Added to every SDK metric, e.g. { service: 'worker' }. */
  globalTags?: Record<string, string>;
}

/** The RuntimeOptions for these settings (pure; Runtime.install takes them as they are). */
export function temporalRuntimeOptions(o: TemporalRuntimeOptions): RuntimeOptions {
  if (o.prometheusBindAddress && o.otel) {
    throw new Error(
      'Temporal SDK metrics go either to Prometheus or to an OpenTelemetry collector, not both',
    );
  }
  const common = { ...(o.globalTags ? { globalTags: o.globalTags } : {}) };
  let metrics: TelemetryOptions['metrics'];
  if (o.prometheusBindAddress) {
    // Seconds and _total suffixes: the Prometheus conventions, so dashboards read them as usual.
    metrics = {
      ...common,
      prometheus: {
        bindAddress: o.prometheusBindAddress,
        useSecondsForDurations: true,
        countersTotalSuffix: true,
      },
    };
  } else if (o.otel) {
    metrics = {
      ...common,
      otel: {
        url: o.otel.url,
        ...(o.otel.http ? { http: true } : {}),
        ...(o.otel.headers ? { headers: o.otel.headers } : {}),
        ...(o.otel.exportIntervalMs ? { metricsExportInterval: o.otel.exportIntervalMs } : {}),
        useSecondsForDurations: true,
      },
    };
  }
  return {
    ...(o.log ? { logger: pinoTemporalLogger(o.log) } : {}),
    telemetryOptions: {
      ...(metrics ? { metrics } : {}),
      // Core's own lines (connection trouble, task failures) are forwarded to the TS logger, so
      // they arrive in pino as JSON too, rather than as free text on stderr.
      ...(o.log ? { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } : {}),
    },
  };
}

/**
 * Installs the Temporal Runtime with these settings. Throws if a Runtime already exists (a
 * connection or worker was created first): the settings would otherwise be silently ignored.
 */
export function installTemporalRuntime(o: TemporalRuntimeOptions): Runtime {
  if (Runtime._instance) {
    throw new Error(
      'installTemporalRuntime must run before the first Temporal connection or worker is created',
    );
  }
  return Runtime.install(temporalRuntimeOptions(o));
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK's logger interface over pino. Workflow and activity log lines carry workflowId, runId
 * and activity type in their metadata; they become fields of the JSON line.
 *
 * The SDK logs a failed activity or workflow task with its error, whose message may quote an
 * outside answer ("550 no such user <kari@example.no>"): errors become plain fields (pino would
 * drop an Error's message outside its `err` key) with personal data scrubbed, as are messages.
 */
export function pinoTemporalLogger(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) =>
    log[PINO_LEVEL[level]](meta ? loggableMeta(meta) : {}, scrubPersonalData(message));
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

function loggableMeta(meta: LogMetadata): LogMetadata {
  const out: LogMetadata = {};
  for (const [key, value] of Object.entries(meta))
    out[key] = value instanceof Error ? loggableError(value) : value;
  return out;
}

function loggableError(err: Error, depth = 0): Record<string, unknown> {
  // ApplicationFailure's `type` and `nonRetryable` say what kind of failure, without content.
  const { type, nonRetryable } = err as { type?: unknown; nonRetryable?: unknown };
  return {
    name: err.name,
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof nonRetryable === 'boolean' ? { nonRetryable } : {}),
    message: scrubPersonalData(err.message),
    ...(err.stack ? { stack: scrubPersonalData(err.stack) } : {}),
    // A few causes deep: a cause chain may loop.
    ...(err.cause instanceof Error && depth < 3 ? { cause: loggableError(err.cause, depth + 1) } : {}),
  };
}
