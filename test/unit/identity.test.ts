import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  centuryYear,
  dateOfBirth,
  identityNumberCheckDigits,
  isValidOrganisationNumber,
  isValidPersonalIdentificationNumber,
  validatePersonalIdentificationNumber,
} from '../../src/rules/identity.js';
import { individualNumberRange, makeIdentityNumber } from '../helpers/identity-numbers.js';

describe('isValidOrganisationNumber', () => {
  it('accepts the development default 987654325 (3·9+2·8+7·7+6·6+5·5+4·4+3·3+2·2 = 182; 11 - 182 mod 11 = 5)', () => {
    expect(isValidOrganisationNumber('987654325')).toBe(true);
  });

  it.each([
    ['974760673', true], // Brønnøysundregistrene
    ['991825827', true], // Digitaliseringsdirektoratet
    ['987654321', false], // wrong check digit
    ['98765432', false], // 8 digits
    ['9876543250', false], // 10 digits
    ['98765432a', false],
    ['', false],
    [' 987654325', false],
  ])('%s → %s', (input, expected) => {
    expect(isValidOrganisationNumber(input)).toBe(expected);
  });

  it('refuses numbers whose check digit would be 10, and accepts remainder 0 as check digit 0', () => {
    // A weighted sum ≡ 1 (mod 11) would need check digit 10, so no such number is ever issued;
    // a sum ≡ 0 gives 11, written as 0. Search for prefixes with those remainders.
    const weights = [3, 2, 7, 6, 5, 4, 3, 2];
    const withRemainder = (r: number) => {
      for (let n = 0; n < 1e8; n++) {
        const prefix = String(n).padStart(8, '0');
        const sum = [...prefix].reduce((acc, c, i) => acc + Number(c) * (weights[i] ?? 0), 0);
        if (sum % 11 === r) return prefix;
      }
      throw new Error('unreachable');
    };
    const remainder1 = withRemainder(1); // check 10
    for (let d = 0; d <= 9; d++) expect(isValidOrganisationNumber(`${remainder1}${d}`)).toBe(false);
    const remainder0 = withRemainder(0); // check 11 → 0
    expect(isValidOrganisationNumber(`${remainder0}0`)).toBe(true);
  });
});

describe('validatePersonalIdentificationNumber', () => {
  it('accepts the API contract example 01819010001: a Tenor synthetic number (month 81 → January), born 1 January 1990', () => {
    expect(validatePersonalIdentificationNumber('01819010001')).toEqual({
      ok: true,
      kind: 'SYNTHETIC',
      birthDate: { year: 1990, month: 1, day: 1 },
    });
  });

  it('accepts an ordinary birth number and reads its date', () => {
    const pid = makeIdentityNumber({ day: 24, month: 12, year: 1985 });
    expect(validatePersonalIdentificationNumber(pid)).toEqual({
      ok: true,
      kind: 'FNR',
      birthDate: { year: 1985, month: 12, day: 24 },
    });
  });

  it('accepts a D-number (day + 40)', () => {
    const pid = makeIdentityNumber({ day: 5, month: 3, year: 1977, dNumber: true });
    expect(pid.slice(0, 2)).toBe('45');
    expect(validatePersonalIdentificationNumber(pid)).toEqual({
      ok: true,
      kind: 'DNR',
      birthDate: { year: 1977, month: 3, day: 5 },
    });
  });

  it.each([40, 80] as const)('accepts a synthetic number with month + %i', (offset) => {
    const pid = makeIdentityNumber({ day: 29, month: 2, year: 2004, syntheticOffset: offset });
    expect(pid.slice(2, 4)).toBe(String(2 + offset).padStart(2, '0'));
    expect(validatePersonalIdentificationNumber(pid)).toEqual({
      ok: true,
      kind: 'SYNTHETIC',
      birthDate: { year: 2004, month: 2, day: 29 },
    });
  });

  it('accepts a synthetic D-number (day + 40 and month + 80) as SYNTHETIC', () => {
    const pid = makeIdentityNumber({ day: 31, month: 12, year: 1999, dNumber: true, syntheticOffset: 80 });
    expect(validatePersonalIdentificationNumber(pid)).toMatchObject({ ok: true, kind: 'SYNTHETIC' });
  });

  it('reads the century from the individual number', () => {
    expect(centuryYear(85, 123)).toBe(1985);
    expect(centuryYear(85, 600)).toBe(1885);
    expect(centuryYear(10, 600)).toBe(2010);
    expect(centuryYear(10, 950)).toBe(2010);
    expect(centuryYear(45, 950)).toBe(1945);
    expect(centuryYear(45, 800)).toBeUndefined();
    expect(centuryYear(45, 600)).toBeUndefined();
    const born1870 = makeIdentityNumber({ day: 1, month: 6, year: 1870 });
    expect(dateOfBirth(born1870)).toEqual({ year: 1870, month: 6, day: 1 });
    const born2021 = makeIdentityNumber({ day: 1, month: 6, year: 2021 });
    expect(dateOfBirth(born2021)).toEqual({ year: 2021, month: 6, day: 1 });
  });

  it.each([
    ['', 'must be exactly 11 digits'],
    ['0181901000', 'must be exactly 11 digits'],
    ['018190100012', 'must be exactly 11 digits'],
    ['0181901000a', 'must be exactly 11 digits'],
    ['01819010002', 'check digits do not match'],
    ['01819010011', 'check digits do not match'],
  ])('refuses %j (%s)', (input, reason) => {
    expect(validatePersonalIdentificationNumber(input)).toEqual({ ok: false, reason });
  });

  it('refuses valid check digits on a date that does not exist', () => {
    // 30 February 1990, 31 April 1990, 29 February 1900 (not a leap year), month 13, day 32.
    for (const firstNine of ['300290100', '310490100', '290200100', '011390100', '320190100', '000190100']) {
      const check = identityNumberCheckDigits(firstNine);
      if (check === undefined) continue;
      expect(validatePersonalIdentificationNumber(firstNine + check)).toMatchObject({ ok: false });
    }
    const leapDay2000 = makeIdentityNumber({ day: 29, month: 2, year: 2000 });
    expect(isValidPersonalIdentificationNumber(leapDay2000)).toBe(true);
  });

  it('refuses an individual number not allocated for the year (750-899 with year 40-99)', () => {
    for (let individual = 750; individual <= 899; individual++) {
      const firstNine = `010150${individual}`;
      const check = identityNumberCheckDigits(firstNine);
      if (check === undefined) continue;
      expect(validatePersonalIdentificationNumber(firstNine + check)).toEqual({
        ok: false,
        reason: 'individual number is not allocated for that birth year',
      });
      return;
    }
    throw new Error('no candidate found');
  });

  it('dateOfBirth is null for an invalid number', () => {
    expect(dateOfBirth('12345678901')).toBeNull();
  });
});

describe('identity numbers (property-based)', () => {
  const validNumber = fc
    .record({
      year: fc.integer({ min: 1854, max: 2039 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      dNumber: fc.boolean(),
      synthetic: fc.constantFrom(undefined, 40, 80),
      individualOffset: fc.integer({ min: 0, max: 200 }),
    })
    .map(({ year, month, day, dNumber, synthetic, individualOffset }) => {
      const [from] = individualNumberRange(year);
      const pid = makeIdentityNumber({
        year,
        month,
        day,
        dNumber,
        syntheticOffset: synthetic as 40 | 80 | undefined,
        individualFrom: from + individualOffset,
      });
      return { pid, year, month, day };
    });

  it('every generated number is valid and gives back its birth date', () => {
    fc.assert(
      fc.property(validNumber, ({ pid, year, month, day }) => {
        const result = validatePersonalIdentificationNumber(pid);
        expect(result).toMatchObject({ ok: true, birthDate: { year, month, day } });
      }),
      { numRuns: 500 },
    );
  });

  it('changing any single digit makes a valid number invalid (mod-11 catches every single-digit error)', () => {
    fc.assert(
      fc.property(
        validNumber,
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        ({ pid }, position, delta) => {
          const digit = (Number(pid[position]) + delta) % 10;
          const changed = pid.slice(0, position) + digit + pid.slice(position + 1);
          expect(isValidPersonalIdentificationNumber(changed)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{11}$/)), (s) => {
        const result = validatePersonalIdentificationNumber(s);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
