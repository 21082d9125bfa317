/**
 * Norwegian identifiers: organisation numbers and national identity numbers (fødselsnummer,
 * D-numbers and synthetic test numbers).
 *
 * Pure functions only: workflow code imports `src/rules/**`, so nothing here may do I/O, read the
 * clock or use Node built-ins.
 */

/** A calendar date without time zone. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * What an identity number is:
 * - `FNR`: an ordinary birth number (fødselsnummer);
 * - `DNR`: a D-number (day + 40), given to people without a birth number;
 * - `SYNTHETIC`: a test number (month + 40 as NAV/Dolly issue them, or month + 80 as Skatteetaten's
 *   Tenor does), also when it is a synthetic D-number.
 */
export type PersonalIdentificationNumberKind = 'FNR' | 'DNR' | 'SYNTHETIC';

export type PersonalIdentificationNumberCheck =
  | { ok: true; kind: PersonalIdentificationNumberKind; birthDate: CalendarDate }
  | { ok: false; reason: string };

const ORGANISATION_NUMBER_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;
const FIRST_CHECK_DIGIT_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const SECOND_CHECK_DIGIT_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * The mod-11 check digit of `digits` under `weights`, or `undefined` when the remainder makes
 * the number impossible (check digit 10): such numbers are never issued.
 */
export function mod11CheckDigit(digits: readonly number[], weights: readonly number[]): number | undefined {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

function toDigits(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) - 48);
}

/** True for a 9-digit organisation number (Enhetsregisteret) with a valid mod-11 check digit. */
export function isValidOrganisationNumber(s: string): boolean {
  if (typeof s !== 'string' || !/^\d{9}$/.test(s)) return false;
  const digits = toDigits(s);
  return mod11CheckDigit(digits, ORGANISATION_NUMBER_WEIGHTS) === digits[8];
}

/**
 * The two check digits for the first nine digits of an identity number, or `undefined` when no
 * valid number starts with these nine digits. Exported so tests and fixtures can build valid
 * numbers instead of hard-coding them.
 */
export function identityNumberCheckDigits(firstNine: string): string | undefined {
  if (!/^\d{9}$/.test(firstNine)) return undefined;
  const digits = toDigits(firstNine);
  const k1 = mod11CheckDigit(digits, FIRST_CHECK_DIGIT_WEIGHTS);
  if (k1 === undefined) return undefined;
  const k2 = mod11CheckDigit([...digits, k1], SECOND_CHECK_DIGIT_WEIGHTS);
  if (k2 === undefined) return undefined;
  return `${k1}${k2}`;
}

/**
 * The full year of a birth number from its two-digit year and individual number (digits 7-9),
 * per the Norwegian population register's allocation rules, or `undefined` for a combination that
 * is never issued (e.g. individual number 750-899 with year 40-99).
 */
export function centuryYear(twoDigitYear: number, individualNumber: number): number | undefined {
  if (individualNumber <= 499) return 1900 + twoDigitYear;
  if (individualNumber <= 749 && twoDigitYear >= 54) return 1800 + twoDigitYear;
  if (twoDigitYear <= 39) return 2000 + twoDigitYear;
  if (individualNumber >= 900) return 1900 + twoDigitYear;
  return undefined;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** True when the date exists in the Gregorian calendar. */
export function isExistingDate({ year, month, day }: CalendarDate): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth =
    [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= daysInMonth;
}

/**
 * Validates a Norwegian national identity number: 11 digits, both mod-11 check digits, a birth
 * date that exists once the D-number (+40 on the day) and synthetic (+40 or +80 on the month)
 * offsets are removed, and an individual number that is allocated for that year.
 */
export function validatePersonalIdentificationNumber(s: string): PersonalIdentificationNumberCheck {
  if (typeof s !== 'string' || !/^\d{11}$/.test(s)) {
    return { ok: false, reason: 'must be exactly 11 digits' };
  }
  if (identityNumberCheckDigits(s.slice(0, 9)) !== s.slice(9)) {
    return { ok: false, reason: 'check digits do not match' };
  }
  let day = Number(s.slice(0, 2));
  let month = Number(s.slice(2, 4));
  const twoDigitYear = Number(s.slice(4, 6));
  const individualNumber = Number(s.slice(6, 9));

  const isDNumber = day > 40;
  if (isDNumber) day -= 40;
  // +80 (Tenor) is tested before +40 (NAV) because a Tenor month (81-92) also exceeds 40.
  let isSynthetic = false;
  if (month > 80) {
    month -= 80;
    isSynthetic = true;
  } else if (month > 40) {
    month -= 40;
    isSynthetic = true;
  }

  const year = centuryYear(twoDigitYear, individualNumber);
  if (year === undefined) {
    return { ok: false, reason: 'individual number is not allocated for that birth year' };
  }
  const birthDate = { year, month, day };
  if (!isExistingDate(birthDate)) return { ok: false, reason: 'birth date does not exist' };

  const kind: PersonalIdentificationNumberKind = isSynthetic ? 'SYNTHETIC' : isDNumber ? 'DNR' : 'FNR';
  return { ok: true, kind, birthDate };
}

/** True for any valid identity number (birth number, D-number or synthetic test number). */
export function isValidPersonalIdentificationNumber(s: string): boolean {
  return validatePersonalIdentificationNumber(s).ok;
}

/** The date of birth encoded in a valid identity number, or `null` when the number is invalid. */
export function dateOfBirth(pid: string): CalendarDate | null {
  const result = validatePersonalIdentificationNumber(pid);
  return result.ok ? result.birthDate : null;
}
