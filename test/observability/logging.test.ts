import { log as activityLog } from '@temporalio/activity';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type Logger, REDACTED_PATHS } from '../../src/log.js';
import { activityLogInterceptor } from '../../src/observability/activity-logging.js';
import {
  activityJobLogger,
  assertNoPersonalData,
  findPersonalData,
  jobLogger,
  PersonalDataInLogError,
  scrubPersonalData,
} from '../../src/observability/logging.js';

/** A logger configured as src/log.ts makes it (same redaction), writing into an array. */
function capture() {
  const lines: string[] = [];
  const log: Logger = pino(
    { name: 'test', level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => lines.push(line) },
  );
  return { log, lines };
}

describe('jobLogger', () => {
  it('puts the job id and workflow id on every line, and the redaction still applies', () => {
    const { log, lines } = capture();
    const jobLog = jobLogger(log, {
      jobId: 'job-1',
      workflowId: 'signature-job-job-1',
      activity: 'sendNotice',
    });
    jobLog.info({ signerId: 'signer-1', personalIdentificationNumber: '01017012345' }, 'notice sent');
    jobLog.warn({ headers: { authorization: 'Bearer abcdefghijklmnop' } }, 'callback refused');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      jobId: 'job-1',
      workflowId: 'signature-job-job-1',
      activity: 'sendNotice',
      signerId: 'signer-1',
      msg: 'notice sent',
    });
    for (const line of lines) expect(() => assertNoPersonalData(line)).not.toThrow();
  });
});

describe('activityJobLogger', () => {
  it("names the running activity's workflow and type", async () => {
    const { log, lines } = capture();
    const env = new MockActivityEnvironment({
      activityType: 'sendSignerNotice',
      workflowExecution: { workflowId: 'signature-job-job-7', runId: 'run-1' },
    });
    await env.run(async () => activityJobLogger(log, 'job-7', { signerId: 'signer-1' }).info('notice sent'));
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      jobId: 'job-7',
      workflowId: 'signature-job-job-7',
      activity: 'sendSignerNotice',
      signerId: 'signer-1',
    });
  });

  it("outside an activity, uses the workflow id the job's workflow is started under", () => {
    const { log, lines } = capture();
    activityJobLogger(log, 'job-8').info('packaged');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ jobId: 'job-8', workflowId: 'signature-job-job-8' });
    expect(JSON.parse(lines[0] ?? '{}')).not.toHaveProperty('activity');
  });
});

describe('activityLogInterceptor', () => {
  /** The SDK's logger interface, keeping each line's metadata. */
  function sdkLogger() {
    const entries: { level: LogLevel; message: string; meta: LogMetadata }[] = [];
    const write = (level: LogLevel) => (message: string, meta?: LogMetadata) =>
      entries.push({ level, message, meta: meta ?? {} });
    return {
      entries,
      logger: {
        log: (level: LogLevel, message: string, meta?: LogMetadata) => write(level)(message, meta),
        trace: write('TRACE'),
        debug: write('DEBUG'),
        info: write('INFO'),
        warn: write('WARN'),
        error: write('ERROR'),
      },
    };
  }

  it("adds the job id to the SDK's activity lines and drops the task token", async () => {
    const { entries, logger } = sdkLogger();
    const env = new MockActivityEnvironment(
      {
        activityType: 'packageJob',
        workflowExecution: { workflowId: 'signature-job-job-9', runId: 'run-1' },
      },
      { interceptors: [activityLogInterceptor()], logger },
    );
    await env.run(async (_args: { jobId: string }) => activityLog.info('from the activity'), {
      jobId: 'job-9',
    });
    const own = entries.find((e) => e.message === 'from the activity');
    expect(own?.meta).toMatchObject({
      jobId: 'job-9',
      workflowId: 'signature-job-job-9',
      activityType: 'packageJob',
    });
    // The SDK's own line after the attempt carries it too.
    expect(entries.find((e) => e.message === 'Activity completed')?.meta).toMatchObject({ jobId: 'job-9' });
    for (const e of entries) expect(e.meta).not.toHaveProperty('taskToken');
  });

  it('leaves the job id out for an activity without one', async () => {
    const { entries, logger } = sdkLogger();
    const env = new MockActivityEnvironment(
      { activityType: 'other' },
      { interceptors: [activityLogInterceptor()], logger },
    );
    await env.run(async (_n: number) => activityLog.info('no job'), 42);
    const own = entries.find((e) => e.message === 'no job');
    expect(own?.meta).toMatchObject({ activityType: 'other' });
    expect(own?.meta).not.toHaveProperty('jobId');
  });
});

describe('assertNoPersonalData', () => {
  it.each([
    ['{"msg":"signer 01017012345 signed"}', 'IDENTITY_NUMBER'],
    ['{"pid":"010170 12345"}', 'IDENTITY_NUMBER'],
    ['{"path":"/persons/01017012345/jobs","fnr":"010170-12345"}', 'IDENTITY_NUMBER'],
    ['{"err":"550 no such user ola.nordmann@example.no"}', 'EMAIL_ADDRESS'],
    ['{"to":"+47 912 34 567"}', 'PHONE_NUMBER'],
    ['{"to":"004791234567"}', 'PHONE_NUMBER'],
    ['{"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc"}', 'BEARER_TOKEN'],
    ['{"key":"sk_0123456789abcdefghijKLMNOPQRSTUVWXYZ_-abcde"}', 'API_KEY'],
  ])('finds personal data or a secret in %s', (line, kind) => {
    expect(findPersonalData(line).map((f) => f.kind)).toContain(kind);
    expect(() => assertNoPersonalData(line)).toThrow(PersonalDataInLogError);
  });

  it.each([
    '{"level":30,"time":1767225600000,"pid":4242,"hostname":"worker-1","jobId":"5f1c9a9e-4b1e-4c1b-9a55-0e3b1c2d4e5f"}',
    '{"org":"910000001","amountOre":2000199,"durationMs":12.345}',
    '{"signerId":"signer-1","status":"SIGNED","msg":"notice sent"}',
    // UUIDs and trace ids whose hex runs happen to hold 11 digits are ids, not identity numbers.
    '{"taskQueue":"observability-4c98bc63-001b-493f-91fc-a01017012345"}',
    '{"jobId":"4c98bc63-001b-493f-91fc-01017012345f"}',
    '{"traceId":"4bf92f3577b34da6a3ce01017012345b"}',
  ])('passes a clean line: %s', (line) => {
    expect(() => assertNoPersonalData(line)).not.toThrow();
  });

  it('does not echo the value it found', () => {
    try {
      assertNoPersonalData('signer 01017012345');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('01017012345');
      expect((err as Error).message).toContain('IDENTITY_NUMBER at 7');
    }
  });
});

describe('scrubPersonalData', () => {
  it('replaces personal data in text from outside before it is logged', () => {
    expect(scrubPersonalData('550 5.1.1 <kari@example.no>: no such user (for 01017012345)')).toBe(
      '550 5.1.1 <[EMAIL_ADDRESS]>: no such user (for [IDENTITY_NUMBER])',
    );
  });
});
