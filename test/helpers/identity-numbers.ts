/**
 * Builds valid Norwegian identity numbers for tests, computing the check digits rather than
 * hard-coding numbers (which might belong to real people).
 */

import { identityNumberCheckDigits } from '../../src/rules/identity.js';

export interface IdentityNumberSpec {
  day: number;
  month: number;
  year: number;
  /** D-number: 40 added to the day. */
  dNumber?: boolean;
  /** Synthetic test number: 40 (NAV) or 80 (Tenor) added to the month. */
  syntheticOffset?: 40 | 80;
  /** First individual number to try (digits 7-9); defaults to the start of the century's range. */
  individualFrom?: number;
}

/** Individual numbers (digits 7-9) allocated for a birth year, per the population register. */
export function individualNumberRange(year: number): [number, number] {
  if (year >= 1854 && year <= 1899) return [500, 749];
  if (year >= 1900 && year <= 1999) return [0, 499];
  if (year >= 2000 && year <= 2039) return [500, 999];
  throw new Error(`no individual numbers for ${year}`);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A valid identity number for the spec: the first individual number whose check digits exist. */
export function makeIdentityNumber(spec: IdentityNumberSpec): string {
  const [from, to] = individualNumberRange(spec.year);
  const day = spec.day + (spec.dNumber ? 40 : 0);
  const month = spec.month + (spec.syntheticOffset ?? 0);
  for (let individual = Math.max(from, spec.individualFrom ?? from); individual <= to; individual++) {
    const firstNine = `${pad(day, 2)}${pad(month, 2)}${pad(spec.year % 100, 2)}${pad(individual, 3)}`;
    const check = identityNumberCheckDigits(firstNine);
    if (check !== undefined) return firstNine + check;
  }
  throw new Error(`no valid identity number for ${JSON.stringify(spec)}`);
}
