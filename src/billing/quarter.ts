/**
 * Billing quarters. Usage is billed quarterly by Norwegian calendar: a quarter runs from Oslo
 * midnight on 1 January / April / July / October to Oslo midnight on the first day of the next
 * quarter. So an event at 2026-12-31T23:30Z (00:30 on 1 January in Oslo) is in 2027Q1.
 *
 * The UTC instants come from Intl's Europe/Oslo time zone data (osloInstant): Q1 and Q4 begin at
 * 23:00Z the day before (winter time, UTC+1), Q2 and Q3 at 22:00Z (summer time, UTC+2). Midnight
 * is never skipped or repeated in Oslo (the clocks change at 02:00/03:00), so every bound exists.
 */
import { osloInstant, osloWallClock } from '../rules/oslo-time.js';

export interface Quarter {
  /** Canonical label, e.g. '2026Q4'. */
  label: string;
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** First instant of the quarter (inclusive). */
  start: Date;
  /** First instant of the next quarter (exclusive). */
  end: Date;
}

const QUARTER_PATTERN = /^(\d{4})-?Q([1-4])$/i;

/** '2026Q4' (also '2026-Q4', '2026q4') → the quarter with its [start, end) instants. */
export function parseQuarter(text: string): Quarter {
  const match = QUARTER_PATTERN.exec(text.trim());
  if (!match) throw new RangeError(`not a quarter: ${JSON.stringify(text)} (expected e.g. 2026Q4)`);
  return quarterOf(Number(match[1]), Number(match[2]) as Quarter['quarter']);
}

export function quarterOf(year: number, quarter: Quarter['quarter']): Quarter {
  const firstMonth = (quarter - 1) * 3 + 1;
  return {
    label: `${year}Q${quarter}`,
    year,
    quarter,
    start: osloInstant(year, firstMonth, 1, 0),
    // Month 13 overflows into January of the next year (osloInstant normalises it).
    end: osloInstant(year, firstMonth + 3, 1, 0),
  };
}

/** The quarter an instant is billed in (by the Oslo calendar date). */
export function quarterContaining(at: Date): Quarter {
  const { year, month } = osloWallClock(at);
  return quarterOf(year, (Math.floor((month - 1) / 3) + 1) as Quarter['quarter']);
}

/** The quarter before the one containing `at`: what an operator bills at the start of a quarter. */
export function previousQuarter(at: Date): Quarter {
  const current = quarterContaining(at);
  return current.quarter === 1
    ? quarterOf(current.year - 1, 4)
    : quarterOf(current.year, (current.quarter - 1) as Quarter['quarter']);
}
