import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { activityMetricsInterceptor } from '../../src/observability/activity-metrics.js';
import { createMetricsRegistry, createWorkerMetrics, timed } from '../../src/observability/metrics.js';
import { type MetricsServer, startMetricsServer } from '../../src/observability/metrics-server.js';

const noop = () => {};
const silent = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('worker metrics', () => {
  it('counts notices by channel and times packaging by outcome', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = createWorkerMetrics(registry);
    metrics.noticesSent.inc({ channel: 'EMAIL' });
    metrics.noticesSent.inc({ channel: 'SMS' });
    metrics.noticesSent.inc({ channel: 'SMS' });
    expect(await timed(metrics.packagingDuration, async () => 'pades')).toBe('pades');
    await expect(
      timed(metrics.packagingDuration, async () => {
        throw new Error('tsa down');
      }),
    ).rejects.toThrow('tsa down');

    const text = await registry.metrics();
    expect(text).toContain('esign_notices_sent_total{channel="EMAIL"} 1');
    expect(text).toContain('esign_notices_sent_total{channel="SMS"} 2');
    expect(text).toContain('esign_packaging_duration_seconds_count{outcome="success"} 1');
    expect(text).toContain('esign_packaging_duration_seconds_count{outcome="failure"} 1');
    // A second caller on the same registry shares the metrics instead of failing to register.
    expect(createWorkerMetrics(registry).noticesSent).toBe(metrics.noticesSent);
  });

  it('counts activity failures by activity type through the interceptor', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = createWorkerMetrics(registry);
    const env = new MockActivityEnvironment(
      { activityType: 'sendNotice' },
      { interceptors: [activityMetricsInterceptor(metrics)], logger: silent },
    );
    expect(await env.run(async () => 'sent')).toBe('sent');
    for (let i = 0; i < 2; i++) {
      await expect(
        env.run(async () => {
          throw new Error('smtp refused');
        }),
      ).rejects.toThrow('smtp refused');
    }
    const text = await registry.metrics();
    expect(text).toContain('esign_activity_failures_total{activity_type="sendNotice"} 2');
    expect(text).toContain(
      'esign_activity_duration_seconds_count{activity_type="sendNotice",outcome="success"} 1',
    );
    expect(text).toContain(
      'esign_activity_duration_seconds_count{activity_type="sendNotice",outcome="failure"} 2',
    );
  });
});

describe('startMetricsServer', () => {
  async function fakeTemporalExporter(body: string): Promise<string> {
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  async function start(temporalMetricsUrl?: string): Promise<MetricsServer> {
    const registry = createMetricsRegistry();
    createWorkerMetrics(registry).noticesSent.inc({ channel: 'EMAIL' });
    const server = await startMetricsServer({
      registry,
      host: '127.0.0.1',
      port: 0,
      ...(temporalMetricsUrl ? { temporalMetricsUrl } : {}),
    });
    closers.push(() => server.close());
    return server;
  }

  it("serves the worker's metrics with the Temporal SDK's appended", async () => {
    const temporal = await fakeTemporalExporter(
      '# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available 5\n',
    );
    const server = await start(temporal);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('esign_notices_sent_total{channel="EMAIL"} 1');
    expect(text).toContain('esign_process_resident_memory_bytes');
    expect(text).toContain('temporal_worker_task_slots_available 5');
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it("still serves the worker's metrics when the SDK's exporter is unreachable", async () => {
    const server = await start('http://127.0.0.1:1/metrics');
    const text = await (await fetch(server.url)).text();
    expect(text).toContain('esign_notices_sent_total{channel="EMAIL"} 1');
    expect(text).toContain('# Temporal SDK metrics unavailable');
  });
});
