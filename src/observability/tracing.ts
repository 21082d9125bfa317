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
 * in-memory exporter.
 */
import { propagation } from '@opentelemetry/api';
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
  // W3C trace context in the Temporal headers, so a trace crosses from the API into the worker.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracer = provider.getTracer('esign-orchestrator');
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor, tracer }),
    shutdown: () => provider.shutdown(),
  };
}
