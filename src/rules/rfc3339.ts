/**
 * Strict RFC 3339 timestamps (`2026-12-01T08:00:00Z`, `2026-12-01T09:00:00.5+01:00`). Stricter
 * than `Date.parse`, which accepts many other shapes and rolls 31 April over to 1 May.
 * Pure (workflow code may import it).
 */

import { isExistingDate } from './identity.js';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of an RFC 3339 date-time with a time zone offset (`Z` or `±hh:mm`), or `undefined`
 * when the text is not one or names a date or time that does not exist. Leap seconds (`:60`) are
 * refused, as JavaScript dates cannot hold them; fractions beyond milliseconds are truncated.
 */
export function parseRfc3339(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isExistingDate({ year, month, day }) || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (!m[8]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps them literal.
  const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  utc.setUTCFullYear(year, month - 1, day);
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}
