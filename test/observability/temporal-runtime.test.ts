import { Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  installTemporalRuntime,
  pinoTemporalLogger,
  temporalRuntimeOptions,
} from '../../src/observability/temporal-runtime.js';
import { freePort } from '../helpers/ports.js';

describe('temporalRuntimeOptions', () => {
  it('configures the Prometheus exporter with Prometheus conventions', () => {
    expect(
      temporalRuntimeOptions({ prometheusBindAddress: '127.0.0.1:9465', globalTags: { service: 'worker' } }),
    ).toEqual({
      telemetryOptions: {
        metrics: {
          globalTags: { service: 'worker' },
          prometheus: {
            bindAddress: '127.0.0.1:9465',
            useSecondsForDurations: true,
            countersTotalSuffix: true,
          },
        },
      },
    });
  });

  it('configures an OpenTelemetry collector instead', () => {
    const options = temporalRuntimeOptions({
      otel: { url: 'http://collector:4317', exportIntervalMs: 5000 },
    });
    expect(options.telemetryOptions?.metrics).toEqual({
      otel: { url: 'http://collector:4317', metricsExportInterval: 5000, useSecondsForDurations: true },
    });
  });

  it('refuses both exporters at once', () => {
    expect(() =>
      temporalRuntimeOptions({
        prometheusBindAddress: '127.0.0.1:9465',
        otel: { url: 'http://collector:4317' },
      }),
    ).toThrow(/not both/);
  });

  it("sends the SDK's log lines, with their metadata, through pino", () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    pinoTemporalLogger(log).warn('Activity failed', { workflowId: 'wf-1', activityType: 'sendNotice' });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 40,
      msg: 'Activity failed',
      workflowId: 'wf-1',
      activityType: 'sendNotice',
    });
  });
});

describe('installTemporalRuntime', () => {
  // The Runtime is one per process; vitest runs each test file in its own process.
  it('serves the SDK metrics on the bind address, and refuses a second install', async () => {
    const port = await freePort();
    const runtime = installTemporalRuntime({ prometheusBindAddress: `127.0.0.1:${port}` });
    expect(Runtime.instance()).toBe(runtime);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(() => installTemporalRuntime({ prometheusBindAddress: `127.0.0.1:${port}` })).toThrow(
      /before the first Temporal connection/,
    );
    await runtime.shutdown();
  });
});
