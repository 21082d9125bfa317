import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadConfig, otlpTracesUrl } from '../../src/config.js';
import { createTracing, tracingFromConfig } from '../../src/observability/tracing.js';
import { workflowsPath } from '../../worker/worker.js';

const noop = () => {};
const silent = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

describe('tracing configuration (OpenTelemetry variable names)', () => {
  const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/esign' };

  it('is off by default', () => {
    expect(otlpTracesUrl(loadConfig(base))).toBeUndefined();
    expect(tracingFromConfig(loadConfig(base), 'esign-api')).toBeUndefined();
  });

  it('sends to the traces path of OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(
      otlpTracesUrl(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })),
    ).toBe('http://collector:4318/v1/traces');
  });

  it('takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, before the general one', () => {
    const c = loadConfig({
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
    });
    expect(otlpTracesUrl(c)).toBe('http://traces:9999/custom');
  });

  it('stays off with OTEL_SDK_DISABLED=true', () => {
    const c = loadConfig({
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SDK_DISABLED: 'true',
    });
    expect(otlpTracesUrl(c)).toBeUndefined();
    expect(tracingFromConfig(c, 'esign-worker')).toBeUndefined();
  });

  it('refuses an endpoint that is not an http(s) URL, without echoing its credentials', () => {
    expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\):\/\/ URL/,
    );
    expect(() =>
      loadConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://user:s3cret@collector:4317' }),
    ).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.*user:\*\*\*@/);
  });
});

describe('createTracing', () => {
  it('is off unless enabled', () => {
    expect(createTracing({ enabled: false, serviceName: 'esign-worker' })).toBeUndefined();
  });

  it('adds the workflow, activity and client interceptors and traces an activity attempt', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({
      enabled: true,
      serviceName: 'esign-worker',
      exporter,
      spanProcessor: (e) => new SimpleSpanProcessor(e),
    });
    if (!tracing) throw new Error('tracing should be on');
    const options = tracing.plugin.configureWorker({
      taskQueue: 'signature-jobs',
      workflowsPath: '/x.js',
    } as WorkerOptions);
    expect(options.interceptors?.workflowModules?.some((m) => m.includes('interceptors-opentelemetry'))).toBe(
      true,
    );
    expect(options.sinks).toHaveProperty('exporter');
    const activityInterceptors = options.interceptors?.activity ?? [];
    expect(activityInterceptors.length).toBeGreaterThan(0);

    const env = new MockActivityEnvironment(
      { activityType: 'packageJob' },
      { interceptors: activityInterceptors, logger: silent },
    );
    await env.run(async () => 'packaged');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toContain('RunActivity:packageJob');
    expect(spans[0]?.resource.attributes['service.name']).toBe('esign-worker');
    await tracing.shutdown();
  });

  it("bundles this service's workflows with the tracing interceptors (sandbox-compatible)", async () => {
    const tracing = createTracing({
      enabled: true,
      serviceName: 'esign-worker',
      exporter: new InMemorySpanExporter(),
    });
    const { code } = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      plugins: [tracing!.plugin],
      logger: { ...silent, error: console.error },
    });
    expect(code).toContain('OpenTelemetryInboundInterceptor');
    await tracing?.shutdown();
  }, 120_000);
});
