/**
 * When a signer of a portal job is notified: at activation of their group, and reminded before the
 * group's deadline (the table in docs/domain.md), with no SMS at night in Norway.
 *
 * Pure functions of their arguments (the workflow passes "now" in): workflow code imports this.
 */

import type { NotificationChannels } from '../job/model.js';
import { nextOsloHour, osloWallClock } from './oslo-time.js';

export type NoticeChannel = 'EMAIL' | 'SMS';
export type NoticeKind = 'ACTIVATION' | 'REMINDER';

/** One notice to send to a signer. */
export interface PlannedNotice {
  at: Date;
  channel: NoticeChannel;
  kind: NoticeKind;
  /**
   * Identifies the notice so a workflow sends it exactly once: `ACTIVATION:<channel>` (a group is
   * activated once, whatever its deadline), `REMINDER:<channel>:<ISO time>` (a reminder belongs
   * to a deadline, so the reminder for an extended deadline is a different notice).
   */
  key: string;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export type DeadlineBand = '0-24 hours' | '2-3 days' | '4-5 days' | '6-9 days' | '10+ days';

interface BandRule {
  band: DeadlineBand;
  /** Upper bound (inclusive) of the deadline length for this band. */
  maxLengthMs: number;
  /** Days before the deadline of the 2nd notice (2nd e-mail, or 2nd notice of the only channel); none in 0-24h. */
  secondNoticeDaysBefore?: number;
  /** With both channels: days before the deadline of the single SMS; absent means at activation. */
  smsDaysBefore?: number;
}

/** The notification table of docs/domain.md. "Days" are 24-hour periods, not Oslo calendar days. */
const BAND_RULES: readonly BandRule[] = [
  { band: '0-24 hours', maxLengthMs: DAY_MS },
  { band: '2-3 days', maxLengthMs: 3 * DAY_MS, secondNoticeDaysBefore: 1, smsDaysBefore: 1 },
  { band: '4-5 days', maxLengthMs: 5 * DAY_MS, secondNoticeDaysBefore: 2, smsDaysBefore: 1 },
  { band: '6-9 days', maxLengthMs: 9 * DAY_MS, secondNoticeDaysBefore: 3, smsDaysBefore: 2 },
  { band: '10+ days', maxLengthMs: Number.POSITIVE_INFINITY, secondNoticeDaysBefore: 5, smsDaysBefore: 2 },
];

function bandRule(lengthMs: number): BandRule {
  return (
    BAND_RULES.find((rule) => lengthMs <= rule.maxLengthMs) ?? (BAND_RULES[BAND_RULES.length - 1] as BandRule)
  );
}

/** The row of the notification table for a deadline `lengthMs` after activation. */
export function deadlineBand(lengthMs: number): DeadlineBand {
  return bandRule(lengthMs).band;
}

/** The deadline of a group: its own activation plus the job's lifetime. */
export function groupDeadline(activatedAt: Date, availableSeconds: number): Date {
  return new Date(activatedAt.getTime() + availableSeconds * 1000);
}

/** No SMS from this Oslo hour ... */
export const SMS_QUIET_FROM_HOUR = 22;
/** ... until this Oslo hour. */
export const SMS_QUIET_UNTIL_HOUR = 8;
/** A night SMS waits for the morning only if the morning is at least this long before the deadline. */
export const SMS_MIN_MARGIN_BEFORE_DEADLINE_MS = HOUR_MS;

/** True between 22:00 (inclusive) and 08:00 (exclusive) Oslo local time, summer or winter. */
export function isOsloNight(at: Date): boolean {
  const { hour } = osloWallClock(at);
  return hour >= SMS_QUIET_FROM_HOUR || hour < SMS_QUIET_UNTIL_HOUR;
}

/**
 * When an SMS planned for `at` may be sent: unchanged by day; at night, the next 08:00 Oslo time,
 * unless that is less than an hour before the deadline, in which case the signer would learn of
 * the job too late to act, so the SMS goes out at night after all.
 */
export function applySmsNightRule(at: Date, deadline: Date): Date {
  if (!isOsloNight(at)) return at;
  const morning = nextOsloHour(at, SMS_QUIET_UNTIL_HOUR);
  if (morning.getTime() + SMS_MIN_MARGIN_BEFORE_DEADLINE_MS <= deadline.getTime()) return morning;
  return at;
}

function noticeKey(kind: NoticeKind, channel: NoticeChannel, at: Date): string {
  return kind === 'ACTIVATION' ? `ACTIVATION:${channel}` : `REMINDER:${channel}:${at.toISOString()}`;
}

function notice(kind: NoticeKind, channel: NoticeChannel, at: Date): PlannedNotice {
  return { at, channel, kind, key: noticeKey(kind, channel, at) };
}

const CHANNEL_RANK: Record<NoticeChannel, number> = { EMAIL: 0, SMS: 1 };
const KIND_RANK: Record<NoticeKind, number> = { ACTIVATION: 0, REMINDER: 1 };

/** By time; ties broken by channel and kind so the order never depends on how the list was built. */
function compareNotices(a: PlannedNotice, b: PlannedNotice): number {
  return (
    a.at.getTime() - b.at.getTime() ||
    CHANNEL_RANK[a.channel] - CHANNEL_RANK[b.channel] ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind]
  );
}

/**
 * Applies the night rule to every SMS, then keeps at most one notice per channel and moment: a
 * reminder not strictly after the previous notice of its channel is dropped (e.g. an activation
 * SMS and a reminder SMS both moved to the same 08:00).
 */
function finalise(notices: PlannedNotice[], deadline: Date): PlannedNotice[] {
  const adjusted = notices
    .map((n) => (n.channel === 'SMS' ? notice(n.kind, n.channel, applySmsNightRule(n.at, deadline)) : n))
    .sort(compareNotices);
  const lastAt = new Map<NoticeChannel, number>();
  const kept: PlannedNotice[] = [];
  for (const n of adjusted) {
    const previous = lastAt.get(n.channel);
    if (n.kind === 'REMINDER' && previous !== undefined && n.at.getTime() <= previous) continue;
    lastAt.set(n.channel, n.at.getTime());
    kept.push(n);
  }
  return kept;
}

/** Input of {@link noticeSchedule}. */
export interface NoticeScheduleInput {
  activatedAt: Date;
  deadline: Date;
  channels: NotificationChannels;
}

/**
 * The notices for one signer of a group activated at `activatedAt` with `deadline`, sorted by time:
 *
 * | deadline   | e-mail + SMS: 1st e-mail | 2nd e-mail | SMS           | one channel: 1st | 2nd      |
 * |------------|--------------------------|------------|---------------|------------------|----------|
 * | 0-24 hours | activation               | -          | activation    | activation       | -        |
 * | 2-3 days   | activation               | 1 day bef. | 1 day before  | activation       | 1 day b. |
 * | 4-5 days   | activation               | 2 days b.  | 1 day before  | activation       | 2 days b.|
 * | 6-9 days   | activation               | 3 days b.  | 2 days before | activation       | 3 days b.|
 * | 10+ days   | activation               | 5 days b.  | 2 days before | activation       | 5 days b.|
 *
 * Bands by deadline length L: L <= 24h; <= 3 days; <= 5 days; <= 9 days; more. A reminder not
 * after activation is dropped; every SMS obeys {@link applySmsNightRule}. A deadline not after
 * activation (nothing to sign for) or no channel gives no notices.
 */
export function noticeSchedule({ activatedAt, deadline, channels }: NoticeScheduleInput): PlannedNotice[] {
  const lengthMs = deadline.getTime() - activatedAt.getTime();
  if (lengthMs <= 0) return [];
  const rule = bandRule(lengthMs);
  const daysBefore = (days: number | undefined): Date | undefined => {
    if (days === undefined) return undefined;
    const at = new Date(deadline.getTime() - days * DAY_MS);
    return at.getTime() > activatedAt.getTime() ? at : undefined;
  };

  const notices: PlannedNotice[] = [];
  const secondNoticeAt = daysBefore(rule.secondNoticeDaysBefore);
  if (channels.email && channels.sms) {
    notices.push(notice('ACTIVATION', 'EMAIL', activatedAt));
    if (secondNoticeAt) notices.push(notice('REMINDER', 'EMAIL', secondNoticeAt));
    if (rule.smsDaysBefore === undefined) notices.push(notice('ACTIVATION', 'SMS', activatedAt));
    else {
      const smsAt = daysBefore(rule.smsDaysBefore);
      if (smsAt) notices.push(notice('REMINDER', 'SMS', smsAt));
    }
  } else if (channels.email || channels.sms) {
    const channel: NoticeChannel = channels.email ? 'EMAIL' : 'SMS';
    notices.push(notice('ACTIVATION', channel, activatedAt));
    if (secondNoticeAt) notices.push(notice('REMINDER', channel, secondNoticeAt));
  }
  return finalise(notices, deadline);
}

/** The notices of a schedule not yet sent, split into those due at `now` and those still ahead. */
export interface PendingNotices {
  /** Not sent, time reached: send now (oldest first). */
  due: PlannedNotice[];
  /** Not sent, in the future: sleep until `upcoming[0].at`. */
  upcoming: PlannedNotice[];
}

/** Splits the unsent notices of `schedule` (sorted) into due and upcoming at `now`. */
export function pendingNotices(
  schedule: readonly PlannedNotice[],
  sentKeys: Iterable<string>,
  now: Date,
): PendingNotices {
  const sent = new Set(sentKeys);
  const unsent = schedule.filter((n) => !sent.has(n.key)).sort(compareNotices);
  return {
    due: unsent.filter((n) => n.at.getTime() <= now.getTime()),
    upcoming: unsent.filter((n) => n.at.getTime() > now.getTime()),
  };
}

/** Input of {@link rescheduleAfterExtension}. */
export interface RescheduleInput {
  activatedAt: Date;
  newDeadline: Date;
  channels: NotificationChannels;
  now: Date;
  /** Keys of the notices of this group sent so far (under any earlier deadline). */
  alreadySent: Iterable<string>;
}

/**
 * The complete list of notices still to send for a group whose deadline moved to `newDeadline`:
 * it replaces the group's old schedule (an unsent reminder of the old deadline is not sent).
 *
 * The new deadline's schedule is computed from the original activation, then:
 * - a notice already sent (same key) is skipped; activation notices have deadline-free keys, so
 *   they are never repeated;
 * - a notice at or after `now` is kept, so a reminder for the new deadline is sent even if one was
 *   sent for the old deadline (the signer has new time and is reminded of it);
 * - a notice whose time has passed is sent at `now` (SMS: subject to the night rule) only if no
 *   notice of its kind and channel was sent yet, e.g. the extension moved the group into a band
 *   whose reminder falls earlier than the old one did;
 * - nothing is planned at or after the new deadline, and never two notices of a channel at once.
 */
export function rescheduleAfterExtension({
  activatedAt,
  newDeadline,
  channels,
  now,
  alreadySent,
}: RescheduleInput): PlannedNotice[] {
  if (now.getTime() >= newDeadline.getTime()) return [];
  const sent = [...alreadySent];
  const sentKeys = new Set(sent);
  const sentKindChannel = new Set(sent.map((key) => key.split(':').slice(0, 2).join(':')));

  const remaining: PlannedNotice[] = [];
  for (const planned of noticeSchedule({ activatedAt, deadline: newDeadline, channels })) {
    if (sentKeys.has(planned.key)) continue;
    if (planned.at.getTime() >= now.getTime()) {
      remaining.push(planned);
    } else if (!sentKindChannel.has(`${planned.kind}:${planned.channel}`)) {
      remaining.push(notice(planned.kind, planned.channel, now));
    }
  }
  return finalise(remaining, newDeadline).filter((n) => n.at.getTime() < newDeadline.getTime());
}
