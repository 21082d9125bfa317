/**
 * Wall-clock time in Norway (Europe/Oslo), DST-correct, for the rule that no SMS is sent at
 * night. Uses only `Intl.DateTimeFormat`, which is deterministic for a given instant and allowed
 * in Temporal workflow code (no clock reads, no Node built-ins).
 */

export const OSLO_TIME_ZONE = 'Europe/Oslo';

/** Wall-clock fields of an instant in Oslo. */
export interface OsloWallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

let formatter: Intl.DateTimeFormat | undefined;

// Built lazily and kept: constructing a DateTimeFormat is expensive and the result is immutable.
function osloFormatter(): Intl.DateTimeFormat {
  formatter ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: OSLO_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    // h23, not hour12:false: some ICU versions print midnight as "24" with hour12:false.
    hourCycle: 'h23',
  });
  return formatter;
}

/** The Oslo wall-clock time of an instant. */
export function osloWallClock(at: Date): OsloWallClock {
  const fields: Record<string, number> = {};
  for (const part of osloFormatter().formatToParts(at)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 0,
    month: fields.month ?? 0,
    day: fields.day ?? 0,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * The instant at which Oslo's wall clock shows `hour`:00 on the given calendar date (month 1-12;
 * day may overflow, e.g. 32 January is 1 February). Oslo is UTC+1 in winter and UTC+2 in summer;
 * the clocks change at 02:00/03:00 local time, so for the hours this module asks about (08:00)
 * exactly one of the two offsets matches.
 */
export function osloInstant(year: number, month: number, day: number, hour: number): Date {
  const asIfUtc = Date.UTC(year, month - 1, day, hour);
  const normalised = new Date(asIfUtc);
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(asIfUtc - offsetHours * HOUR_MS);
    const wall = osloWallClock(candidate);
    if (
      wall.hour === hour &&
      wall.day === normalised.getUTCDate() &&
      wall.month === normalised.getUTCMonth() + 1 &&
      wall.year === normalised.getUTCFullYear()
    ) {
      return candidate;
    }
  }
  // Only reachable for an hour skipped by the spring DST change (02:00): use winter time.
  return new Date(asIfUtc - HOUR_MS);
}

/** The first instant at or after `at` when Oslo's wall clock shows `hour`:00:00. */
export function nextOsloHour(at: Date, hour: number): Date {
  const wall = osloWallClock(at);
  const sameDay = osloInstant(wall.year, wall.month, wall.day, hour);
  if (sameDay.getTime() >= at.getTime()) return sameDay;
  return osloInstant(wall.year, wall.month, wall.day + 1, hour);
}
