import { describe, expect, it } from 'vitest';
import {
  addYears,
  LONG_TERM_STORAGE_YEARS,
  nextRenewalAt,
  storageYearsBegun,
  withinRenewalMargin,
} from '../../src/archive/rules.js';

const at = (iso: string) => new Date(iso);

describe('long-term storage rules', () => {
  it('adds calendar years; 29 February falls back to 28 February', () => {
    expect(addYears(at('2026-11-22T10:00:00Z'), 3).toISOString()).toBe('2029-11-22T10:00:00.000Z');
    expect(addYears(at('2028-02-29T00:00:00Z'), 1).toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });

  it('renews after the interval when nothing ends sooner', () => {
    const stamped = at('2026-11-22T00:00:00Z');
    expect(nextRenewalAt(stamped, { intervalYears: 3 }).toISOString()).toBe('2029-11-22T00:00:00.000Z');
    expect(nextRenewalAt(stamped, { intervalYears: 5 }).toISOString()).toBe('2031-11-22T00:00:00.000Z');
  });

  it('renews 90 days before the time-stamping certificate expires or the algorithms weaken', () => {
    const stamped = at('2026-11-22T00:00:00Z');
    const certEnd = at('2028-06-01T00:00:00Z');
    expect(
      nextRenewalAt(stamped, { intervalYears: 3, timeStampCertificateNotAfter: certEnd }).toISOString(),
    ).toBe('2028-03-03T00:00:00.000Z');
    const sunset = at('2027-12-31T00:00:00Z');
    expect(
      nextRenewalAt(stamped, {
        intervalYears: 3,
        timeStampCertificateNotAfter: certEnd,
        algorithmSunset: sunset,
      }),
    ).toEqual(at('2027-10-02T00:00:00Z'));
  });

  it('leaves out an end already inside the margin instead of renewing every day', () => {
    const stamped = at('2026-11-22T00:00:00Z');
    const next = nextRenewalAt(stamped, {
      intervalYears: 3,
      timeStampCertificateNotAfter: at('2026-12-01T00:00:00Z'),
    });
    expect(next.toISOString()).toBe('2029-11-22T00:00:00.000Z');
    expect(withinRenewalMargin(at('2026-12-01T00:00:00Z'), stamped)).toBe(true);
    expect(withinRenewalMargin(at('2027-12-01T00:00:00Z'), stamped)).toBe(false);
    expect(withinRenewalMargin(undefined, stamped)).toBe(false);
  });

  it('counts storage years begun: year 1 at once, a new one on each anniversary, at most 50', () => {
    const stored = at('2026-11-22T12:00:00Z');
    expect(storageYearsBegun(stored, at('2026-11-22T11:59:59Z'))).toBe(0);
    expect(storageYearsBegun(stored, stored)).toBe(1);
    expect(storageYearsBegun(stored, at('2027-11-22T11:59:59Z'))).toBe(1);
    expect(storageYearsBegun(stored, at('2027-11-22T12:00:00Z'))).toBe(2);
    expect(storageYearsBegun(stored, at('2029-11-23T00:00:00Z'))).toBe(4);
    expect(storageYearsBegun(stored, at('2099-01-01T00:00:00Z'))).toBe(LONG_TERM_STORAGE_YEARS);
  });
});
