import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type Logger, REDACTED_PATHS } from '../../src/log.js';
import {
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

describe('assertNoPersonalData', () => {
  it.each([
    ['{"msg":"signer 01017012345 signed"}', 'IDENTITY_NUMBER'],
    ['{"pid":"010170 12345"}', 'IDENTITY_NUMBER'],
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
