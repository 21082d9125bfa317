import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextOsloHour, osloInstant, osloWallClock } from '../../src/rules/oslo-time.js';
import {
  applySmsNightRule,
  deadlineBand,
  groupDeadline,
  isOsloNight,
  noticeSchedule,
  type PlannedNotice,
  pendingNotices,
  rescheduleAfterExtension,
} from '../../src/rules/reminders.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t = (iso: string) => new Date(iso);
/** Compact form for exact assertions: `[ISO time, channel, kind]`. */
const compact = (notices: PlannedNotice[]) => notices.map((n) => [n.at.toISOString(), n.channel, n.kind]);

const BOTH = { email: true, sms: true };
const EMAIL_ONLY = { email: true, sms: false };
const SMS_ONLY = { email: false, sms: true };

describe('deadline bands', () => {
  it.each([
    [1, '0-24 hours'],
    [DAY, '0-24 hours'],
    [DAY + 1, '2-3 days'],
    [3 * DAY, '2-3 days'],
    [3 * DAY + 1, '4-5 days'],
    [5 * DAY, '4-5 days'],
    [5 * DAY + 1, '6-9 days'],
    [9 * DAY, '6-9 days'],
    [9 * DAY + 1, '10+ days'],
    [90 * DAY, '10+ days'],
  ])('%i ms → %s', (length, band) => {
    expect(deadlineBand(length)).toBe(band);
  });

  it('groupDeadline adds the lifetime to the group’s own activation', () => {
    expect(groupDeadline(t('2026-01-12T09:00:00Z'), 7 * 86_400).toISOString()).toBe(
      '2026-01-19T09:00:00.000Z',
    );
  });
});

describe('noticeSchedule: each band × channel set (daytime in Oslo, so the night rule does not interfere)', () => {
  // Monday 12 January 2026, 10:00 in Oslo (UTC+1). Every planned time below is 10:00 Oslo too.
  const activatedAt = t('2026-01-12T09:00:00Z');
  const A = '2026-01-12T09:00:00.000Z';

  const cases: Array<[string, number, Record<'both' | 'email' | 'sms', Array<[string, string, string]>>]> = [
    [
      '0-24 hours',
      1,
      {
        both: [
          [A, 'EMAIL', 'ACTIVATION'],
          [A, 'SMS', 'ACTIVATION'],
        ],
        email: [[A, 'EMAIL', 'ACTIVATION']],
        sms: [[A, 'SMS', 'ACTIVATION']],
      },
    ],
    [
      '2-3 days',
      3,
      {
        both: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-01-14T09:00:00.000Z', 'EMAIL', 'REMINDER'],
          ['2026-01-14T09:00:00.000Z', 'SMS', 'REMINDER'],
        ],
        email: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-01-14T09:00:00.000Z', 'EMAIL', 'REMINDER'],
        ],
        sms: [
          [A, 'SMS', 'ACTIVATION'],
          ['2026-01-14T09:00:00.000Z', 'SMS', 'REMINDER'],
        ],
      },
    ],
    [
      '4-5 days',
      5,
      {
        both: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-01-15T09:00:00.000Z', 'EMAIL', 'REMINDER'], // 2 days before
          ['2026-01-16T09:00:00.000Z', 'SMS', 'REMINDER'], // 1 day before
        ],
        email: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-01-15T09:00:00.000Z', 'EMAIL', 'REMINDER'],
        ],
        sms: [
          [A, 'SMS', 'ACTIVATION'],
          ['2026-01-15T09:00:00.000Z', 'SMS', 'REMINDER'],
        ],
      },
    ],
    [
      '6-9 days',
      7,
      {
        both: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-01-16T09:00:00.000Z', 'EMAIL', 'REMINDER'], // 3 days before
          ['2026-01-17T09:00:00.000Z', 'SMS', 'REMINDER'], // 2 days before
        ],
        email: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-01-16T09:00:00.000Z', 'EMAIL', 'REMINDER'],
        ],
        sms: [
          [A, 'SMS', 'ACTIVATION'],
          ['2026-01-16T09:00:00.000Z', 'SMS', 'REMINDER'],
        ],
      },
    ],
    [
      '10+ days',
      30,
      {
        both: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-02-06T09:00:00.000Z', 'EMAIL', 'REMINDER'], // 5 days before
          ['2026-02-09T09:00:00.000Z', 'SMS', 'REMINDER'], // 2 days before
        ],
        email: [
          [A, 'EMAIL', 'ACTIVATION'],
          ['2026-02-06T09:00:00.000Z', 'EMAIL', 'REMINDER'],
        ],
        sms: [
          [A, 'SMS', 'ACTIVATION'],
          ['2026-02-06T09:00:00.000Z', 'SMS', 'REMINDER'],
        ],
      },
    ],
  ];

  for (const [band, days, expected] of cases) {
    const deadline = new Date(activatedAt.getTime() + days * DAY);
    it(`${band} (${days} days), e-mail and SMS`, () => {
      expect(deadlineBand(deadline.getTime() - activatedAt.getTime())).toBe(band);
      expect(compact(noticeSchedule({ activatedAt, deadline, channels: BOTH }))).toEqual(expected.both);
    });
    it(`${band} (${days} days), e-mail only`, () => {
      expect(compact(noticeSchedule({ activatedAt, deadline, channels: EMAIL_ONLY }))).toEqual(
        expected.email,
      );
    });
    it(`${band} (${days} days), SMS only`, () => {
      expect(compact(noticeSchedule({ activatedAt, deadline, channels: SMS_ONLY }))).toEqual(expected.sms);
    });
  }

  it('uses the lower band’s numbers up to and including its upper bound (exactly 9 days: 3 / 2)', () => {
    const deadline = new Date(activatedAt.getTime() + 9 * DAY);
    expect(compact(noticeSchedule({ activatedAt, deadline, channels: BOTH }))).toEqual([
      [A, 'EMAIL', 'ACTIVATION'],
      ['2026-01-18T09:00:00.000Z', 'EMAIL', 'REMINDER'],
      ['2026-01-19T09:00:00.000Z', 'SMS', 'REMINDER'],
    ]);
  });

  it('no channel, or a deadline not after activation, gives no notices', () => {
    const deadline = new Date(activatedAt.getTime() + 3 * DAY);
    expect(noticeSchedule({ activatedAt, deadline, channels: { email: false, sms: false } })).toEqual([]);
    expect(noticeSchedule({ activatedAt, deadline: activatedAt, channels: BOTH })).toEqual([]);
  });

  it('gives stable keys: deadline-free for activation, time-bound for reminders', () => {
    const deadline = new Date(activatedAt.getTime() + 3 * DAY);
    expect(noticeSchedule({ activatedAt, deadline, channels: BOTH }).map((n) => n.key)).toEqual([
      'ACTIVATION:EMAIL',
      'REMINDER:EMAIL:2026-01-14T09:00:00.000Z',
      'REMINDER:SMS:2026-01-14T09:00:00.000Z',
    ]);
  });
});

describe('Oslo wall clock', () => {
  it('knows winter (UTC+1) and summer (UTC+2) time', () => {
    expect(osloWallClock(t('2026-01-12T23:30:00Z'))).toMatchObject({ day: 13, hour: 0, minute: 30 });
    expect(osloWallClock(t('2026-07-01T22:30:00Z'))).toMatchObject({ month: 7, day: 2, hour: 0, minute: 30 });
  });

  it('finds 08:00 on DST change days', () => {
    expect(osloInstant(2026, 3, 29, 8).toISOString()).toBe('2026-03-29T06:00:00.000Z'); // spring forward
    expect(osloInstant(2026, 10, 25, 8).toISOString()).toBe('2026-10-25T07:00:00.000Z'); // fall back
    expect(osloInstant(2026, 12, 32, 8).toISOString()).toBe('2027-01-01T07:00:00.000Z'); // day overflow
  });

  it('nextOsloHour is the same instant when the clock already shows it', () => {
    expect(nextOsloHour(t('2026-01-12T07:00:00Z'), 8).toISOString()).toBe('2026-01-12T07:00:00.000Z');
    expect(nextOsloHour(t('2026-01-12T07:00:00.001Z'), 8).toISOString()).toBe('2026-01-13T07:00:00.000Z');
  });
});

describe('the SMS night rule (22:00-08:00 Europe/Oslo)', () => {
  it.each([
    ['2026-01-12T20:59:59Z', false], // 21:59:59 winter
    ['2026-01-12T21:00:00Z', true], // 22:00 winter
    ['2026-01-12T06:59:59Z', true], // 07:59:59 winter
    ['2026-01-12T07:00:00Z', false], // 08:00 winter
    ['2026-07-01T19:59:59Z', false], // 21:59:59 summer
    ['2026-07-01T20:00:00Z', true], // 22:00 summer
    ['2026-07-01T05:59:59Z', true], // 07:59:59 summer
    ['2026-07-01T06:00:00Z', false], // 08:00 summer
  ])('isOsloNight(%s) = %s', (iso, night) => {
    expect(isOsloNight(t(iso))).toBe(night);
  });

  const farDeadline = t('2026-12-31T12:00:00Z');

  it('leaves a daytime SMS alone', () => {
    expect(applySmsNightRule(t('2026-01-12T12:00:00Z'), farDeadline).toISOString()).toBe(
      '2026-01-12T12:00:00.000Z',
    );
  });

  it('moves an evening SMS to 08:00 the next day, and a small-hours SMS to 08:00 the same day', () => {
    expect(applySmsNightRule(t('2026-01-12T22:30:00Z'), farDeadline).toISOString()).toBe(
      '2026-01-13T07:00:00.000Z',
    );
    expect(applySmsNightRule(t('2026-01-13T02:00:00Z'), farDeadline).toISOString()).toBe(
      '2026-01-13T07:00:00.000Z',
    );
    expect(applySmsNightRule(t('2026-07-01T21:00:00Z'), farDeadline).toISOString()).toBe(
      '2026-07-02T06:00:00.000Z',
    );
  });

  it('is DST-correct: the night the clocks spring forward (29 March 2026)', () => {
    // 22:30 CET on Saturday → 08:00 CEST on Sunday = 06:00Z.
    expect(applySmsNightRule(t('2026-03-28T21:30:00Z'), farDeadline).toISOString()).toBe(
      '2026-03-29T06:00:00.000Z',
    );
    // 01:30 CET, before the change → 08:00 CEST.
    expect(applySmsNightRule(t('2026-03-29T00:30:00Z'), farDeadline).toISOString()).toBe(
      '2026-03-29T06:00:00.000Z',
    );
    // 06:30Z is 08:30 CEST: day already.
    expect(isOsloNight(t('2026-03-29T06:30:00Z'))).toBe(false);
  });

  it('is DST-correct: the night the clocks fall back (25 October 2026)', () => {
    // 01:00 CEST → 08:00 CET = 07:00Z.
    expect(applySmsNightRule(t('2026-10-24T23:00:00Z'), farDeadline).toISOString()).toBe(
      '2026-10-25T07:00:00.000Z',
    );
    // 06:30Z is 07:30 CET: still night that morning (it would be 08:30 in summer time).
    expect(isOsloNight(t('2026-10-25T06:30:00Z'))).toBe(true);
  });

  it('sends at night when the deadline cannot wait (deadline 07:30 Oslo)', () => {
    const at = t('2026-01-13T01:00:00Z'); // 02:00 Oslo
    const deadline = t('2026-01-13T06:30:00Z'); // 07:30 Oslo
    expect(applySmsNightRule(at, deadline)).toEqual(at);
  });

  it('waits when 08:00 is at least an hour before the deadline, not when it is less', () => {
    const at = t('2026-01-13T01:00:00Z');
    expect(applySmsNightRule(at, t('2026-01-13T08:00:00Z')).toISOString()).toBe('2026-01-13T07:00:00.000Z'); // 09:00
    expect(applySmsNightRule(at, t('2026-01-13T07:59:59Z'))).toEqual(at); // 08:59:59
  });

  it('the cannot-wait case on a DST night: deadline 07:30 CEST on 29 March 2026', () => {
    const at = t('2026-03-29T00:00:00Z'); // 01:00 CET
    const deadline = t('2026-03-29T05:30:00Z'); // 07:30 CEST
    expect(applySmsNightRule(at, deadline)).toEqual(at);
  });

  it('moves the activation SMS of a job activated at 23:00 to 08:00 (0-24 hours band)', () => {
    const activatedAt = t('2026-01-12T22:00:00Z'); // 23:00 Oslo
    const deadline = new Date(activatedAt.getTime() + 20 * HOUR); // 19:00 Oslo next day
    expect(compact(noticeSchedule({ activatedAt, deadline, channels: BOTH }))).toEqual([
      ['2026-01-12T22:00:00.000Z', 'EMAIL', 'ACTIVATION'],
      ['2026-01-13T07:00:00.000Z', 'SMS', 'ACTIVATION'],
    ]);
  });

  it('keeps a night activation SMS at night when the deadline is 07:30 Oslo', () => {
    const activatedAt = t('2026-01-12T22:00:00Z'); // 23:00 Oslo
    const deadline = t('2026-01-13T06:30:00Z'); // 07:30 Oslo
    expect(compact(noticeSchedule({ activatedAt, deadline, channels: SMS_ONLY }))).toEqual([
      ['2026-01-12T22:00:00.000Z', 'SMS', 'ACTIVATION'],
    ]);
  });

  it('never sends two SMS at the same moment: a reminder moved onto the activation SMS is dropped', () => {
    // 25 hours, SMS only: activation 23:00 and reminder 00:00 both move to 08:00.
    const activatedAt = t('2026-01-12T22:00:00Z');
    const deadline = new Date(activatedAt.getTime() + 25 * HOUR);
    expect(compact(noticeSchedule({ activatedAt, deadline, channels: SMS_ONLY }))).toEqual([
      ['2026-01-13T07:00:00.000Z', 'SMS', 'ACTIVATION'],
    ]);
  });

  it('moves a reminder SMS that falls at night (10+ days, both channels, activated 23:30)', () => {
    const activatedAt = t('2026-01-12T22:30:00Z'); // 23:30 Oslo
    const deadline = new Date(activatedAt.getTime() + 14 * DAY);
    expect(compact(noticeSchedule({ activatedAt, deadline, channels: BOTH }))).toEqual([
      ['2026-01-12T22:30:00.000Z', 'EMAIL', 'ACTIVATION'],
      ['2026-01-21T22:30:00.000Z', 'EMAIL', 'REMINDER'], // e-mail is not subject to the rule
      ['2026-01-25T07:00:00.000Z', 'SMS', 'REMINDER'],
    ]);
  });

  it('no planned SMS is ever at night unless less than an hour of daylight remains (property)', () => {
    const start = Date.UTC(2025, 0, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * 365 * 24 * 60 }),
        fc.integer({ min: 1, max: 90 * 24 * 60 }),
        fc.constantFrom(BOTH, SMS_ONLY),
        (startMinute, lengthMinutes, channels) => {
          const activatedAt = new Date(start + startMinute * 60_000);
          const deadline = new Date(activatedAt.getTime() + lengthMinutes * 60_000);
          const schedule = noticeSchedule({ activatedAt, deadline, channels });
          for (const n of schedule) {
            expect(n.at.getTime()).toBeGreaterThanOrEqual(activatedAt.getTime());
            expect(n.at.getTime()).toBeLessThan(deadline.getTime());
            if (n.channel === 'SMS' && isOsloNight(n.at)) {
              expect(nextOsloHour(n.at, 8).getTime() + HOUR).toBeGreaterThan(deadline.getTime());
            }
          }
          const keys = schedule.map((n) => n.key);
          expect(new Set(keys).size).toBe(keys.length);
          const sorted = [...schedule].sort((a, b) => a.at.getTime() - b.at.getTime());
          expect(schedule.map((n) => n.at.getTime())).toEqual(sorted.map((n) => n.at.getTime()));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('pendingNotices', () => {
  it('splits unsent notices into due and upcoming', () => {
    const activatedAt = t('2026-01-12T09:00:00Z');
    const schedule = noticeSchedule({
      activatedAt,
      deadline: new Date(activatedAt.getTime() + 7 * DAY),
      channels: BOTH,
    });
    const { due, upcoming } = pendingNotices(schedule, ['ACTIVATION:EMAIL'], t('2026-01-16T09:00:00Z'));
    expect(compact(due)).toEqual([['2026-01-16T09:00:00.000Z', 'EMAIL', 'REMINDER']]);
    expect(compact(upcoming)).toEqual([['2026-01-17T09:00:00.000Z', 'SMS', 'REMINDER']]);
  });
});

describe('rescheduleAfterExtension', () => {
  const activatedAt = t('2026-01-12T09:00:00Z'); // 10:00 Oslo

  it('replaces the unsent reminders of the old deadline with the new deadline’s', () => {
    const oldDeadline = groupDeadline(activatedAt, 14 * 86_400);
    const old = noticeSchedule({ activatedAt, deadline: oldDeadline, channels: BOTH });
    expect(compact(old).slice(1)).toEqual([
      ['2026-01-21T09:00:00.000Z', 'EMAIL', 'REMINDER'],
      ['2026-01-24T09:00:00.000Z', 'SMS', 'REMINDER'],
    ]);
    const remaining = rescheduleAfterExtension({
      activatedAt,
      newDeadline: groupDeadline(activatedAt, 30 * 86_400),
      channels: BOTH,
      now: t('2026-01-15T12:00:00Z'),
      alreadySent: ['ACTIVATION:EMAIL'],
    });
    expect(compact(remaining)).toEqual([
      ['2026-02-06T09:00:00.000Z', 'EMAIL', 'REMINDER'],
      ['2026-02-09T09:00:00.000Z', 'SMS', 'REMINDER'],
    ]);
  });

  it('reminds again before the new deadline when the old reminder was already sent', () => {
    const remaining = rescheduleAfterExtension({
      activatedAt,
      newDeadline: groupDeadline(activatedAt, 30 * 86_400),
      channels: EMAIL_ONLY,
      now: t('2026-01-22T12:00:00Z'),
      alreadySent: ['ACTIVATION:EMAIL', 'REMINDER:EMAIL:2026-01-21T09:00:00.000Z'],
    });
    expect(compact(remaining)).toEqual([['2026-02-06T09:00:00.000Z', 'EMAIL', 'REMINDER']]);
  });

  it('sends a reminder that the new band places in the past at once, if none was sent yet', () => {
    // 9 days (reminder 3 days before = 18 Jan) extended on 17 Jan 12:00 to 10 days (5 days before = 17 Jan 09:00).
    const remaining = rescheduleAfterExtension({
      activatedAt,
      newDeadline: groupDeadline(activatedAt, 10 * 86_400),
      channels: EMAIL_ONLY,
      now: t('2026-01-17T12:00:00Z'),
      alreadySent: ['ACTIVATION:EMAIL'],
    });
    expect(compact(remaining)).toEqual([['2026-01-17T12:00:00.000Z', 'EMAIL', 'REMINDER']]);
    expect(remaining[0]?.key).toBe('REMINDER:EMAIL:2026-01-17T12:00:00.000Z');
  });

  it('does not catch up a past reminder when one was already sent on that channel', () => {
    const remaining = rescheduleAfterExtension({
      activatedAt,
      newDeadline: groupDeadline(activatedAt, 10 * 86_400),
      channels: EMAIL_ONLY,
      now: t('2026-01-19T12:00:00Z'),
      alreadySent: ['ACTIVATION:EMAIL', 'REMINDER:EMAIL:2026-01-18T09:00:00.000Z'],
    });
    expect(remaining).toEqual([]);
  });

  it('a caught-up SMS at night waits for 08:00', () => {
    const remaining = rescheduleAfterExtension({
      activatedAt,
      newDeadline: groupDeadline(activatedAt, 10 * 86_400),
      channels: SMS_ONLY,
      now: t('2026-01-17T22:00:00Z'), // 23:00 Oslo
      alreadySent: ['ACTIVATION:SMS'],
    });
    expect(compact(remaining)).toEqual([['2026-01-18T07:00:00.000Z', 'SMS', 'REMINDER']]);
  });

  it('never repeats the activation notices, and plans nothing once the new deadline has passed', () => {
    const newDeadline = groupDeadline(activatedAt, 3 * 86_400);
    const remaining = rescheduleAfterExtension({
      activatedAt,
      newDeadline,
      channels: BOTH,
      now: t('2026-01-12T10:00:00Z'),
      alreadySent: ['ACTIVATION:EMAIL'],
    });
    expect(remaining.every((n) => n.kind === 'REMINDER')).toBe(true);
    expect(
      rescheduleAfterExtension({
        activatedAt,
        newDeadline,
        channels: BOTH,
        now: newDeadline,
        alreadySent: [],
      }),
    ).toEqual([]);
  });
});
