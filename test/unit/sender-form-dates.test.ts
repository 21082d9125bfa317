/**
 * The sender portal's activation field (an <input type=datetime-local>, Norwegian time): a date or
 * time that does not exist is refused by the job's own validation, naming the field, never rolled
 * over into another date.
 */
import { describe, expect, it } from 'vitest';
import { parseJobRequest } from '../../src/job/schema.js';
import { type JobForm, jobJsonFromForm, osloLocalToRfc3339 } from '../../src/portal/sender-jobs.js';

const NOW = new Date('2026-06-01T12:00:00Z');

function form(activation: string): JobForm {
  return {
    title: 'Contract',
    nonsensitiveTitle: '',
    description: '',
    reference: '',
    requiredAuthentication: '',
    availableDays: '',
    activation,
    signers: [
      { identifier: 'kari@example.com', order: '', email: '', mobile: '', signatureType: '', onBehalfOf: '' },
    ],
  };
}

const files = [{ fileName: 'contract.pdf', type: 'application/pdf', bytes: new Uint8Array() }];

describe("the sender portal's activation time", () => {
  it('is Norwegian wall-clock time, winter and summer', () => {
    expect(osloLocalToRfc3339('2026-12-01T08:30')).toBe('2026-12-01T07:30:00.000Z');
    expect(osloLocalToRfc3339('2026-07-01T08:30')).toBe('2026-07-01T06:30:00.000Z');
    expect(osloLocalToRfc3339('2028-02-29T10:00')).toBe('2028-02-29T09:00:00.000Z');
  });

  it.each([
    '2026-13-45T99:99',
    '2026-02-29T10:00',
    '2026-04-31T10:00',
    '2026-00-10T10:00',
    '2026-12-00T10:00',
    '2026-12-01T24:00',
    '2026-12-01T08:60',
  ])('%s is refused as it was typed, naming the field', (typed) => {
    expect(osloLocalToRfc3339(typed)).toBe(typed);
    const parsed = parseJobRequest('portal', jobJsonFromForm(form(typed), files), { sector: 'PUBLIC' }, NOW);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toContainEqual(
      expect.objectContaining({ path: 'availability.activationTime', code: 'INVALID_DATE_TIME' }),
    );
  });

  it('a valid one passes the same validation', () => {
    const parsed = parseJobRequest(
      'portal',
      jobJsonFromForm(form('2026-12-01T08:00'), files),
      { sector: 'PUBLIC' },
      NOW,
    );
    expect(parsed.ok && parsed.job.availability?.activationTime).toBe('2026-12-01T07:00:00.000Z');
  });
});
