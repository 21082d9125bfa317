/**
 * A signer's history for the sender, from what the service recorded about them: each notice sent
 * (when, by which channel, first notice or reminder), a notice held back and why (from the job's
 * next step), when they opened the documents, each login with its level, eID and provider (the
 * audit trail's SIGNER_LOGGED_IN), how their part ended (signed, rejected with the reason, expired,
 * cancelled, ...) and where their copy went (the mailbox forward). Pure: the read model gathers the
 * facts, the page words the entries.
 */
import type { SignerStatus } from '../job/model.js';
import type { HeldNotice } from './next-step.js';

export interface SignerFacts {
  status: SignerStatus;
  /** When the signer got their status. */
  since: Date;
  signedAt: Date | null;
  rejectionReason: string | null;
  notices: { at: Date; channel: 'EMAIL' | 'SMS'; kind: string }[];
  held: Pick<HeldNotice, 'until' | 'reason'> | null;
  /** The first time they opened a document. */
  openedAt: Date | null;
  logins: { at: Date; level: number | null; eid: string | null; provider: string | null }[];
  /** The signed copy's mailbox forward; null while none was tried (none due, or not completed). */
  copy: { status: 'DELIVERED' | 'PENDING' | 'EXPIRED'; at: Date | null; offeredUntil: Date } | null;
}

/** The kinds of notice a history names apart; any other kind the sender is not told of here. */
export type NoticeKindShown = 'FIRST' | 'REMINDER' | 'CANCELLATION';

export type HistoryEntry =
  | { kind: 'NOTIFIED'; at: Date; channel: 'EMAIL' | 'SMS'; notice: NoticeKindShown }
  | { kind: 'OPENED'; at: Date }
  | { kind: 'LOGGED_IN'; at: Date; level: number | null; eid: string | null; provider: string | null }
  | { kind: 'SIGNED'; at: Date }
  | { kind: 'REJECTED'; at: Date; reason: string | null }
  /** Their part ended without their action: the deadline, the sender's cancel, the register. */
  | { kind: 'ENDED'; at: Date; status: Exclude<SignerStatus, 'WAITING' | 'SIGNED' | 'REJECTED'> }
  | { kind: 'COPY_DELIVERED'; at: Date | null }
  /** No digital mailbox when the job completed: offered to one opened until `until`. */
  | { kind: 'COPY_OFFERED'; until: Date }
  | { kind: 'COPY_NOT_DELIVERED'; until: Date }
  /** Undated, so listed last: what the signer waits for now. */
  | { kind: 'HELD'; until: Date; reason: HeldNotice['reason'] };

const NOTICE_KINDS: Record<string, NoticeKindShown> = {
  ACTIVATION: 'FIRST',
  REMINDER: 'REMINDER',
  CANCELLATION: 'CANCELLATION',
};

/** The signer's history in time order; a held notice (it has not happened) comes last. */
export function signerHistory(f: SignerFacts): HistoryEntry[] {
  const dated: (HistoryEntry & { at: Date })[] = [];
  for (const n of f.notices) {
    const notice = NOTICE_KINDS[n.kind];
    if (notice) dated.push({ kind: 'NOTIFIED', at: n.at, channel: n.channel, notice });
  }
  if (f.openedAt) dated.push({ kind: 'OPENED', at: f.openedAt });
  for (const l of f.logins) dated.push({ kind: 'LOGGED_IN', ...l });
  if (f.status === 'SIGNED') dated.push({ kind: 'SIGNED', at: f.signedAt ?? f.since });
  else if (f.status === 'REJECTED') dated.push({ kind: 'REJECTED', at: f.since, reason: f.rejectionReason });
  else if (f.status !== 'WAITING') dated.push({ kind: 'ENDED', at: f.since, status: f.status });
  dated.sort((a, b) => a.at.getTime() - b.at.getTime());
  const rest: HistoryEntry[] = [];
  if (f.copy?.status === 'DELIVERED') rest.push({ kind: 'COPY_DELIVERED', at: f.copy.at });
  if (f.copy?.status === 'PENDING') rest.push({ kind: 'COPY_OFFERED', until: f.copy.offeredUntil });
  if (f.copy?.status === 'EXPIRED') rest.push({ kind: 'COPY_NOT_DELIVERED', until: f.copy.offeredUntil });
  if (f.held && f.status === 'WAITING')
    rest.push({ kind: 'HELD', until: new Date(f.held.until), reason: f.held.reason });
  return [...dated, ...rest];
}
