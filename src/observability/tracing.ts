/**
 * OpenTelemetry tracing through the Temporal interceptors (@temporalio/interceptors-opentelemetry),
 * OFF by default: createTracing returns undefined unless enabled, and nothing is registered.
 *
 * When on, one Temporal plugin carries the whole set: client interceptors (a span per start /
 * signal / query, with the trace context passed to the workflow in its headers), workflow
 * interceptors (spans inside the sandbox, exported through a sink, so replay stays deterministic)
 * and activity interceptors (a span per attempt, child of the workflow's). Wire the same plugin
 * into the Client (`new Client({ ..., plugins })`), Worker.create({ ..., plugins }) and, when the
 * workflow code is bundled ahead of time, bundleWorkflowCode({ ..., plugins }): workflow
 * interceptor modules only take effect at bundling time.
 *
 * Spans go to an OTLP/HTTP collector (e.g. http://otel-collector:4318/v1/traces); tests pass an
 * in-memory exporter. tracingFromConfig switches it on from OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { type Config, otlpTracesUrl } from '../config.js';

export interface TracingOptions {
  /** Off unless true. */
  enabled: boolean;
  /** The service.name of the spans: 'esign-api', 'esign-worker'. */
  serviceName: string;
  /** OTLP/HTTP traces endpoint; default the OTEL_EXPORTER_OTLP_TRACES_ENDPOINT convention. */
  otlpUrl?: string;
  /** Instead of OTLP (tests: InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** Instead of batching (tests: SimpleSpanProcessor, to see spans at once). */
  spanProcessor?: (exporter: SpanExporter) => SpanProcessor;
}

export interface Tracing {
  /** For `plugins: [...]` of Client, Worker.create and bundleWorkflowCode. */
  plugin: OpenTelemetryPlugin;
  /** Flushes the spans not yet exported; call on shutdown. */
  shutdown(): Promise<void>;
}

export function createTracing(options: TracingOptions): Tracing | undefined {
  if (!options.enabled) return undefined;
  const exporter = options.exporter ?? new OTLPTraceExporter(options.otlpUrl ? { url: options.otlpUrl } : {});
  const spanProcessor = options.spanProcessor?.(exporter) ?? new BatchSpanProcessor(exporter);
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  registerGlobals();
  const tracer = provider.getTracer('esign-orchestrator');
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor, tracer }),
    shutdown: () => provider.shutdown(),
  };
}

/** Tracing as configured: on only when an OTLP traces endpoint is set (see otlpTracesUrl). */
export function tracingFromConfig(
  config: Pick<
    Config,
    'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SDK_DISABLED'
  >,
  serviceName: string,
): Tracing | undefined {
  const otlpUrl = otlpTracesUrl(config);
  return createTracing({ enabled: otlpUrl !== undefined, serviceName, ...(otlpUrl ? { otlpUrl } : {}) });
}

let globalsRegistered = false;

/**
 * The process-wide OpenTelemetry parts the interceptors rely on, once per process (the API and
 * the worker share one process in `npm run dev`):
 * - W3C trace context in the Temporal headers, so a trace crosses from the API into the worker;
 * - a context manager: the interceptors find the parent span through `context.active()`, and
 *   without one (the API's default is a no-op) a started workflow's span would not reach its
 *   headers, nor a workflow's span its activities', and every span would start its own trace.
 */
function registerGlobals(): void {
  if (globalsRegistered) return;
  globalsRegistered = true;
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * The active context per asynchronous call chain, on node's AsyncLocalStorage (what
 * @opentelemetry/context-async-hooks provides; that package is not a dependency here).
 */
class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (thisArg: unknown, args: unknown[]) => this.with(ctx, () => target.apply(thisArg, args));
    return function (this: unknown, ...args: unknown[]) {
      return run(this, args);
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}
