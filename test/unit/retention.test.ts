/** How long an ended job's documents are kept, and when they are the long-term archive's. */
import { describe, expect, it } from 'vitest';
import { addYears, LONG_TERM_STORAGE_YEARS } from '../../src/archive/rules.js';
import { retentionDeadline } from '../../src/job/retention.js';

const ended = new Date('2026-03-01T12:00:00.000Z');

describe('retentionDeadline', () => {
  it('keeps an ended job 40 days from its end', () => {
    for (const status of ['COMPLETED_SUCCESSFULLY', 'FAILED'] as const) {
      expect(retentionDeadline(ended, { status, longTermStorage: false })?.toISOString()).toBe(
        '2026-04-10T12:00:00.000Z',
      );
    }
  });

  it('leaves a completed long-term job to the archive; a failed one is kept 40 days', () => {
    expect(
      retentionDeadline(ended, { status: 'COMPLETED_SUCCESSFULLY', longTermStorage: true }),
    ).toBeUndefined();
    expect(retentionDeadline(ended, { status: 'FAILED', longTermStorage: true })?.toISOString()).toBe(
      '2026-04-10T12:00:00.000Z',
    );
  });

  it('has no deadline for a running job', () => {
    expect(retentionDeadline(ended, { status: 'IN_PROGRESS', longTermStorage: false })).toBeUndefined();
  });

  it('the archive keeps a job 50 calendar years from storing (a leap day falls back a day)', () => {
    expect(LONG_TERM_STORAGE_YEARS).toBe(50);
    expect(addYears(new Date('2028-02-29T10:00:00Z'), LONG_TERM_STORAGE_YEARS).toISOString()).toBe(
      '2078-02-28T10:00:00.000Z',
    );
  });
});
