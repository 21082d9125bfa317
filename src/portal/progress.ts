/**
 * Where a signer stands in their job and what comes next, for the line every signer screen shows:
 * their group among the job's groups, how many are still to sign, and where the signed copy will
 * come. A pure function of the job's recorded state (the read model), so the ceremony page and the
 * portal list say the same thing.
 */
import type { JobProgressState, SignerCopyState } from '../db/job-reads.js';
import type { Flow, SignerStatus } from '../job/model.js';

/** Where the signer gets the signed copy once everyone has signed. */
export type CopyDelivery =
  /** Portal, signing for themselves with an identity number: their digital mailbox (and download). */
  | 'MAILBOX'
  /** Portal otherwise: download from the signing portal. */
  | 'DOWNLOAD'
  /** Direct flow: the sender's own service hands it over. */
  | 'SENDER';

export type SignerStage =
  /** Their group has not started yet: they are told when it does. */
  | 'NOT_YET'
  /** They may sign now. */
  | 'YOUR_TURN'
  /** They signed; others still have to. */
  | 'SIGNED_WAITING'
  /** Everyone signed; the signed document is being sealed. */
  | 'SEALING'
  /** Everyone signed; the signed document is ready. */
  | 'COMPLETED'
  /** The job ended without every signature (rejected, expired, cancelled, failed). */
  | 'STOPPED';

/**
 * What the signer is told about their copy, from what is recorded: the mailbox forward once the
 * job completed, the register's answer before. Never "sent" unless the delivery was recorded.
 */
export type CopyNote =
  /** Direct flow: the sender's service hands it over. */
  | { kind: 'SENDER' }
  /** Portal, not signing for themselves: download only. */
  | { kind: 'DOWNLOAD' }
  /** Before completion, the register says they have a mailbox: it will go there. */
  | { kind: 'MAILBOX_LATER' }
  /** Before completion, the register says they have none: download here. */
  | { kind: 'NO_MAILBOX' }
  /** Before completion, the register could not be asked: to the mailbox only if they have one. */
  | { kind: 'MAILBOX_IF_ANY' }
  /** Completed, the forward not recorded yet. */
  | { kind: 'MAILBOX_SENDING' }
  /** Completed, the delivery to the mailbox recorded. */
  | { kind: 'MAILBOX_SENT' }
  /** Completed without a mailbox: a mailbox created before `until` still receives it. */
  | { kind: 'MAILBOX_OFFERED'; until: string }
  /** Completed, no mailbox came in time: download only. */
  | { kind: 'MAILBOX_NONE' };

/**
 * The copy note from the recorded state. `hasMailbox` is the register's answer (asked only
 * before completion; undefined when it could not be asked).
 */
export function copyNote(input: {
  delivery: CopyDelivery;
  completed: boolean;
  copy: SignerCopyState | null;
  hasMailbox?: boolean;
}): CopyNote {
  if (input.delivery !== 'MAILBOX') return { kind: input.delivery };
  const forward = input.copy?.forward;
  if (forward?.status === 'DELIVERED') return { kind: 'MAILBOX_SENT' };
  if (forward?.status === 'PENDING')
    return { kind: 'MAILBOX_OFFERED', until: forward.offeredUntil.toISOString() };
  if (forward?.status === 'EXPIRED') return { kind: 'MAILBOX_NONE' };
  if (input.completed) return { kind: 'MAILBOX_SENDING' };
  if (input.hasMailbox === true) return { kind: 'MAILBOX_LATER' };
  if (input.hasMailbox === false) return { kind: 'NO_MAILBOX' };
  return { kind: 'MAILBOX_IF_ANY' };
}

/** Another signer of the job as a signer sees them: a name only once their eID gave it. */
export interface OtherSigner {
  /** 1-based place in the sender's list of signers ("signer 2" until the name is known). */
  number: number;
  name: string | null;
  group: number;
  status: SignerStatus;
}

export interface SignerProgress {
  stage: SignerStage;
  /** 1-based position of the signer's group, and how many groups the job has. */
  group: number;
  groups: number;
  /** Signers (the signer excluded) who have not signed yet. */
  othersLeft: number;
  /** Of those, how many are in groups after the signer's. */
  laterLeft: number;
  delivery: CopyDelivery;
  /** What the signer is told about their copy (see {@link copyNote}). */
  copy: CopyNote;
  /** Completed: until when the signed document can be downloaded; null while unknown or kept long-term. */
  downloadUntil: string | null;
  /** The job's other signers, in the sender's order. */
  others: OtherSigner[];
}

export function copyDelivery(flow: Flow, signer: { onBehalfOf: string; pid: string | null }): CopyDelivery {
  if (flow === 'direct') return 'SENDER';
  return signer.onBehalfOf === 'SELF' && signer.pid ? 'MAILBOX' : 'DOWNLOAD';
}

/**
 * The signer's progress. Without the job's signers (none recorded) the job's own status decides:
 * a completed job with its document is COMPLETED, anything else STOPPED.
 */
export function signerProgress(input: {
  state: JobProgressState | null;
  signerId: string;
  /** The job's status as recorded. */
  jobStatus: string;
  signerStatus: SignerStatus;
  hasPades: boolean;
  delivery: CopyDelivery;
  /** The recorded copy state (mailbox forward, deletion time); null when not read. */
  copy?: SignerCopyState | null;
  /** The register's answer whether the signer has a digital mailbox; undefined when not asked. */
  hasMailbox?: boolean;
}): SignerProgress {
  const { state, signerId, delivery } = input;
  const completed = (state?.status ?? input.jobStatus) === 'COMPLETED_SUCCESSFULLY';
  const base = {
    group: 1,
    groups: 1,
    othersLeft: 0,
    laterLeft: 0,
    delivery,
    copy: copyNote({ delivery, completed, copy: input.copy ?? null, hasMailbox: input.hasMailbox }),
    downloadUntil: completed ? (input.copy?.downloadUntil?.toISOString() ?? null) : null,
    others: [] as OtherSigner[],
  };
  const ended = (status: string): SignerStage =>
    status === 'COMPLETED_SUCCESSFULLY' ? (input.hasPades ? 'COMPLETED' : 'SEALING') : 'STOPPED';
  if (!state) {
    return { ...base, stage: input.jobStatus === 'IN_PROGRESS' ? 'SEALING' : ended(input.jobStatus) };
  }
  const me = state.signers.find((s) => s.id === signerId);
  const orders = [...new Set(state.signers.map((s) => s.order))].sort((a, b) => a - b);
  const myOrder = me?.order ?? orders[0] ?? 0;
  const others = state.signers.filter((s) => s.id !== signerId && s.status !== 'SIGNED');
  const progress = {
    ...base,
    group: orders.indexOf(myOrder) + 1,
    groups: orders.length,
    othersLeft: others.length,
    laterLeft: others.filter((s) => s.order > myOrder).length,
    others: state.signers.flatMap((s, i) =>
      s.id === signerId
        ? []
        : [{ number: i + 1, name: s.name, group: orders.indexOf(s.order) + 1, status: s.status }],
    ),
  };
  if (state.status !== 'IN_PROGRESS') return { ...progress, stage: ended(state.status) };
  const status = me?.status ?? input.signerStatus;
  if (status === 'SIGNED') return { ...progress, stage: others.length === 0 ? 'SEALING' : 'SIGNED_WAITING' };
  if (status !== 'WAITING') return { ...progress, stage: 'STOPPED' };
  return { ...progress, stage: state.activeOrder === myOrder ? 'YOUR_TURN' : 'NOT_YET' };
}

/**
 * Whether the signer waits on others or on the service (signatures, packaging, the mailbox
 * copy): only then does their page watch for changes.
 */
export function isWaitingStage(p: SignerProgress): boolean {
  return p.stage === 'SIGNED_WAITING' || p.stage === 'SEALING' || p.copy.kind === 'MAILBOX_SENDING';
}

/** A short key of what the signer's page shows; it changes whenever the page would. */
export function progressStateKey(p: SignerProgress): string {
  const signed = p.others.filter((o) => o.status === 'SIGNED').length;
  return `${p.stage}:${p.copy.kind}:${signed}`;
}
