/**
 * Long-term storage rules (pure: no clock, no database). A job in long-term storage is kept up to
 * 50 years; its PAdES gets a new document time-stamp before the last one stops proving anything:
 * every few years (3 by default), and sooner when the time-stamping certificate expires or the
 * algorithms are declared weak before then.
 */

export const LONG_TERM_STORAGE_YEARS = 50;
export const DEFAULT_RENEWAL_INTERVAL_YEARS = 3;
/** A renewal is due this long before the certificate expires or the algorithms weaken. */
export const RENEWAL_MARGIN_DAYS = 90;
/** Never plan a renewal closer than this to the last one (a nearly expired TSA would loop). */
const MIN_GAP_DAYS = 1;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `date` plus `years` calendar years (UTC); 29 February falls back to 28 February. */
export function addYears(date: Date, years: number): Date {
  const d = new Date(date.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d;
}

export interface RenewalPolicy {
  intervalYears: number;
  /** When the certificate of the authority that made the newest time-stamp expires. */
  timeStampCertificateNotAfter?: Date | undefined;
  /** When the operator expects today's algorithms (SHA-256, ECDSA P-256) to be declared weak. */
  algorithmSunset?: Date | undefined;
}

/**
 * When the time-stamp made at `stampedAt` must be renewed: after the interval, or the margin
 * before the certificate's expiry or the algorithms' sunset if that comes first. An end already
 * inside the margin is left out: renewing again at once, with the same authority and algorithms,
 * would prove nothing more (the operator must bring a new authority; the worker warns).
 */
export function nextRenewalAt(stampedAt: Date, policy: RenewalPolicy): Date {
  const limits = [addYears(stampedAt, policy.intervalYears).getTime()];
  for (const end of [policy.timeStampCertificateNotAfter, policy.algorithmSunset]) {
    const due = end ? end.getTime() - RENEWAL_MARGIN_DAYS * DAY_MS : undefined;
    if (due !== undefined && due >= stampedAt.getTime() + MIN_GAP_DAYS * DAY_MS) limits.push(due);
  }
  return new Date(Math.min(...limits));
}

/** Whether `end` (a certificate's expiry, the algorithms' sunset) is already within the margin. */
export function withinRenewalMargin(end: Date | undefined, now: Date): boolean {
  return end !== undefined && end.getTime() - RENEWAL_MARGIN_DAYS * DAY_MS < now.getTime();
}

/** Storage years begun by `now` for an archive stored at `storedAt` (year 1 begins at once). */
export function storageYearsBegun(storedAt: Date, now: Date): number {
  if (now < storedAt) return 0;
  let years = 1;
  while (years < LONG_TERM_STORAGE_YEARS && addYears(storedAt, years) <= now) years++;
  return years;
}
