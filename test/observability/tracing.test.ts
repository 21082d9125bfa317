import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createTracing } from '../../src/observability/tracing.js';
import { workflowsPath } from '../../worker/worker.js';

const noop = () => {};
const silent = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

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
