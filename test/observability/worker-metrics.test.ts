import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { activityMetricsInterceptor } from '../../src/observability/activity-metrics.js';
import { createMetricsRegistry, createWorkerMetrics, timed } from '../../src/observability/metrics.js';
import {
  type HealthStatus,
  type MetricsServer,
  startMetricsServer,
} from '../../src/observability/metrics-server.js';
import { startWorkerTelemetry, workerTelemetryOptions } from '../../src/observability/worker-telemetry.js';

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

  it('counts notices by kind as well', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = createWorkerMetrics(registry);
    metrics.noticesSent.inc({ channel: 'EMAIL', kind: 'ACTIVATION' });
    metrics.noticesSent.inc({ channel: 'EMAIL', kind: 'REMINDER' });
    metrics.noticesSent.inc({ channel: 'EMAIL', kind: 'REMINDER' });
    const text = await registry.metrics();
    expect(text).toContain('esign_notices_sent_total{channel="EMAIL",kind="ACTIVATION"} 1');
    expect(text).toContain('esign_notices_sent_total{channel="EMAIL",kind="REMINDER"} 2');
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

describe('/healthz', () => {
  it('answers 200 while health() is ok and 503 otherwise, with the state', async () => {
    let status: HealthStatus = { ok: false, status: 'STARTING' };
    const server = await startMetricsServer({
      registry: createMetricsRegistry({ defaultMetrics: false }),
      host: '127.0.0.1',
      port: 0,
      health: () => status,
    });
    closers.push(() => server.close());
    expect(server.healthUrl).toBe(server.url.replace('/metrics', '/healthz'));
    const get = async () => {
      const res = await fetch(server.healthUrl);
      return { code: res.status, body: await res.json() };
    };
    expect(await get()).toEqual({ code: 503, body: { status: 'STARTING' } });
    status = { ok: true, status: 'RUNNING' };
    expect(await get()).toEqual({ code: 200, body: { status: 'RUNNING' } });
    status = { ok: false, status: 'FAILED' };
    expect(await get()).toEqual({ code: 503, body: { status: 'FAILED' } });
  });

  it('is not served without a health source', async () => {
    const server = await startMetricsServer({
      registry: createMetricsRegistry({ defaultMetrics: false }),
      host: '127.0.0.1',
      port: 0,
    });
    closers.push(() => server.close());
    expect((await fetch(server.healthUrl)).status).toBe(404);
  });
});

describe('worker telemetry from the configuration', () => {
  const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/esign' };
  const log = pino({ level: 'silent' });

  it('serves on METRICS_PORT 9464 with the SDK exporter on loopback 9465, tracing off, by default', () => {
    const o = workerTelemetryOptions(loadConfig({ ...base, HOST: '0.0.0.0' }), log);
    expect(o.server).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(o.temporalRuntime).toEqual({ log, prometheusPort: 9465 });
    expect(o.tracing).toBeUndefined();
  });

  it('METRICS_PORT=0 turns the server off, and with it the SDK exporter; TEMPORAL_METRICS_PORT=0 only the latter', () => {
    const off = workerTelemetryOptions(loadConfig({ ...base, METRICS_PORT: '0' }), log);
    expect(off.server).toBeUndefined();
    expect(off.temporalRuntime).toEqual({ log });
    const sdkOff = workerTelemetryOptions(loadConfig({ ...base, TEMPORAL_METRICS_PORT: '0' }), log);
    expect(sdkOff.server).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(sdkOff.temporalRuntime).toEqual({ log });
  });

  it('turns tracing on with an OTLP endpoint', async () => {
    const o = workerTelemetryOptions(
      loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
      log,
    );
    expect(o.tracing).toBeDefined();
    await o.tracing?.shutdown();
  });

  it('without a Runtime or server: the metrics for the worker, and /healthz follows a watched worker', async () => {
    const telemetry = await startWorkerTelemetry({ server: { host: '127.0.0.1', port: 0 } });
    closers.push(() => telemetry.close());
    expect(telemetry.workerOptions.plugins).toEqual([]);
    expect(telemetry.workerOptions.metrics).toBe(telemetry.metrics);
    expect((await fetch(telemetry.server!.healthUrl)).status).toBe(503);
    let state: 'RUNNING' | 'DRAINING' = 'RUNNING';
    telemetry.watch({ getState: () => state });
    expect((await fetch(telemetry.server!.healthUrl)).status).toBe(200);
    state = 'DRAINING';
    expect(await (await fetch(telemetry.server!.healthUrl)).json()).toEqual({ status: 'DRAINING' });
    telemetry.metrics.noticesSent.inc({ channel: 'SMS', kind: 'REMINDER' });
    expect(await (await fetch(telemetry.server!.url)).text()).toContain(
      'esign_notices_sent_total{channel="SMS",kind="REMINDER"} 1',
    );
  });
});
