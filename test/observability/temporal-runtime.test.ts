import { ApplicationFailure } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { assertNoPersonalData } from '../../src/observability/logging.js';
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

describe('pinoTemporalLogger and personal data', () => {
  it("keeps a failed activity's error readable but scrubs personal data from it", () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const error = ApplicationFailure.retryable('550 5.1.1 <kari@example.no>: no such user', 'SmtpRefused');
    pinoTemporalLogger(log).warn('Activity failed', {
      error,
      jobId: 'job-1',
      activityType: 'sendSignerNotice',
    });
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line).toMatchObject({
      msg: 'Activity failed',
      jobId: 'job-1',
      error: {
        name: 'ApplicationFailure',
        type: 'SmtpRefused',
        nonRetryable: false,
        message: '550 5.1.1 <[EMAIL_ADDRESS]>: no such user',
      },
    });
    expect(line.error.stack).toContain('[EMAIL_ADDRESS]');
    expect(() => assertNoPersonalData(lines[0] ?? '')).not.toThrow();
  });

  it('scrubs the message text too', () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    pinoTemporalLogger(log).error('Workflow failed for 01017012345');
    expect(JSON.parse(lines[0] ?? '{}').msg).toBe('Workflow failed for [IDENTITY_NUMBER]');
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
