/**
 * The plan of a group's notices: every notice to each signer by that signer's channels (the
 * rules of src/rules/reminders.ts), and the sender's deadline warning, in time order. Pure.
 */
import type { WorkflowSigner } from '../src/job/model.js';
import { deadlineWarningAt } from '../src/notifications/sender-notice-rules.js';
import { noticeSchedule, type PlannedNotice } from '../src/rules/reminders.js';

/** The pseudo-signer id of notices to the sender in a group's plan. */
export const SENDER = '';

export interface ScheduledNotice {
  key: string;
  signerId: string;
  at: number;
  channel: PlannedNotice['channel'];
  kind: PlannedNotice['kind'];
}

export function planNotices(
  signers: WorkflowSigner[],
  activatedAt: number,
  deadline: number,
): ScheduledNotice[] {
  const notices: ScheduledNotice[] = signers.flatMap((signer) =>
    noticeSchedule({
      activatedAt: new Date(activatedAt),
      deadline: new Date(deadline),
      channels: signer.channels,
    }).map((n) => ({
      // The planned time is part of the key: a notice moved by an extension is a new notice.
      key: `${n.kind}:${n.channel}:${n.at.toISOString()}`,
      signerId: signer.id,
      at: n.at.getTime(),
      channel: n.channel,
      kind: n.kind,
    })),
  );
  // The sender is warned 24 h before a deadline, for lifetimes over 48 h.
  const warning = deadlineWarningAt(new Date(activatedAt), new Date(deadline));
  if (warning) {
    notices.push({
      key: `DEADLINE_SOON:${warning.toISOString()}`,
      signerId: SENDER,
      at: warning.getTime(),
      channel: 'EMAIL',
      kind: 'REMINDER',
    });
  }
  return notices.sort((a, b) => a.at - b.at);
}

/** A notice's key within the job: sent at most once. */
export const sentKey = (n: ScheduledNotice) => `${n.signerId}/${n.key}`;
