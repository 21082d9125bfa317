/**
 * The state machine of a signature job, as plain functions over a plain object. The workflow
 * holds one `SignatureJobState` and changes it only through these functions, so the rules of
 * docs/domain.md (groups, terminating actions, who may act when) are unit-testable without Temporal.
 *
 * Every function takes the time as an argument (workflow time in the workflow) and returns the
 * events it caused; the workflow records those in PostgreSQL and the status-change queue.
 */
import type { JobEvent } from '../src/job/events.js';
import type {
  JobStatus,
  SignatureJobInput,
  SignatureJobState,
  SignerState,
  SignerStatus,
} from '../src/job/model.js';
import { signerGroups } from '../src/rules/groups.js';

export type { JobEvent } from '../src/job/events.js';

/** Why a signer may not act now; the API answers these with 409. */
export type ActRefusal =
  | 'UNKNOWN_SIGNER'
  | 'JOB_ENDED'
  | 'JOB_NOT_ACTIVE'
  | 'NOT_SIGNERS_TURN'
  | 'ALREADY_ACTED';

export function initialState(input: SignatureJobInput, now: string): SignatureJobState {
  const groups = groupsOf(input).map((g) => ({ order: g.order }));
  return {
    jobId: input.jobId,
    org: input.org,
    flow: input.flow,
    status: 'IN_PROGRESS',
    since: now,
    activated: false,
    ...(input.activationTime ? { activationTime: input.activationTime } : {}),
    groups,
    signers: input.signers.map((s) => ({ id: s.id, order: s.order, status: 'WAITING', since: now })),
    documentsDeleted: false,
  };
}

/**
 * The signer groups in signing order. The direct flow has no order: all its signers are one group.
 */
export function groupsOf(input: SignatureJobInput): { order: number; signerIds: string[] }[] {
  if (input.flow === 'direct') return [{ order: 0, signerIds: input.signers.map((s) => s.id) }];
  return signerGroups(input.signers).map((g) => ({ order: g.order, signerIds: g.signers.map((s) => s.id) }));
}

export function signersOfGroup(state: SignatureJobState, group: number): SignerState[] {
  if (state.flow === 'direct') return state.signers;
  const order = state.groups[group]?.order;
  return state.signers.filter((s) => s.order === order);
}

export function isEnded(state: SignatureJobState): boolean {
  return state.status !== 'IN_PROGRESS';
}

export function allSigned(state: SignatureJobState): boolean {
  return state.signers.every((s) => s.status === 'SIGNED');
}

export function groupSigned(state: SignatureJobState, group: number): boolean {
  return signersOfGroup(state, group).every((s) => s.status === 'SIGNED');
}

/** A terminating action already happened (a rejection) though the job status is not yet FAILED. */
function hasTerminatingSigner(state: SignatureJobState): boolean {
  return state.signers.some((s) => s.status !== 'WAITING' && s.status !== 'SIGNED');
}

export function activateJob(state: SignatureJobState, now: string): JobEvent[] {
  state.activated = true;
  return [{ type: 'JOB_ACTIVATED', at: now }];
}

export function activateGroup(
  state: SignatureJobState,
  group: number,
  now: string,
  deadline: string,
): JobEvent[] {
  const g = state.groups[group];
  if (!g) throw new Error(`no group ${group}`);
  g.activatedAt = now;
  g.deadline = deadline;
  state.activeGroup = group;
  return [
    {
      type: 'GROUP_ACTIVATED',
      at: now,
      group,
      deadline,
      signerIds: signersOfGroup(state, group).map((s) => s.id),
    },
  ];
}

export function extendDeadline(state: SignatureJobState, deadline: string, now: string): JobEvent[] {
  const group = state.activeGroup;
  const g = group === undefined ? undefined : state.groups[group];
  if (group === undefined || !g) throw new Error('no active group');
  g.deadline = deadline;
  return [{ type: 'DEADLINE_EXTENDED', at: now, group, deadline }];
}

/** Null when the signer may sign or reject now; otherwise why not. */
export function refusalToAct(state: SignatureJobState, signerId: string): ActRefusal | null {
  const signer = state.signers.find((s) => s.id === signerId);
  if (!signer) return 'UNKNOWN_SIGNER';
  if (signer.status !== 'WAITING') return 'ALREADY_ACTED';
  if (isEnded(state) || hasTerminatingSigner(state) || allSigned(state)) return 'JOB_ENDED';
  if (state.activeGroup === undefined) return 'JOB_NOT_ACTIVE';
  if (!signersOfGroup(state, state.activeGroup).some((s) => s.id === signerId)) return 'NOT_SIGNERS_TURN';
  return null;
}

function setSigner(signer: SignerState, status: SignerStatus, now: string, reason?: string): JobEvent {
  signer.status = status;
  signer.since = now;
  if (reason !== undefined) signer.rejectionReason = reason;
  return { type: 'SIGNER_STATUS', at: now, signerId: signer.id, status, ...(reason ? { reason } : {}) };
}

function signerById(state: SignatureJobState, signerId: string): SignerState {
  const s = state.signers.find((x) => x.id === signerId);
  if (!s) throw new Error(`unknown signer ${signerId}`);
  return s;
}

export function sign(state: SignatureJobState, signerId: string, now: string): JobEvent[] {
  return [setSigner(signerById(state, signerId), 'SIGNED', now)];
}

/** A rejection: the job fails; every other signer who has not signed becomes NOT_APPLICABLE. */
export function reject(state: SignatureJobState, signerId: string, now: string, reason?: string): JobEvent[] {
  const events = [setSigner(signerById(state, signerId), 'REJECTED', now, reason)];
  return [...events, ...endJob(state, 'FAILED', now, 'REJECTED', () => 'NOT_APPLICABLE')];
}

/**
 * The signer can no longer act: FAILED (the direct flow's ceremony failed), or BLOCKED (too many
 * wrong one-time codes: only in histories from before wrong codes delayed instead, which must
 * replay). Like a rejection, it ends the job for everyone who has not signed.
 */
export function failSigner(
  state: SignatureJobState,
  signerId: string,
  status: 'BLOCKED' | 'FAILED',
  now: string,
): JobEvent[] {
  const events = [setSigner(signerById(state, signerId), status, now)];
  return [...events, ...endJob(state, 'FAILED', now, status, () => 'NOT_APPLICABLE')];
}

/**
 * A group's signers cannot be reached: the register says they are reserved, or no contact details
 * exist. The job fails before the group is shown to anyone.
 */
export function contactFailure(
  state: SignatureJobState,
  failures: { signerId: string; outcome: 'RESERVED' | 'CONTACT_INFORMATION_MISSING' }[],
  now: string,
): JobEvent[] {
  const events = failures.map((f) => setSigner(signerById(state, f.signerId), f.outcome, now));
  return [...events, ...endJob(state, 'FAILED', now, failures[0]!.outcome, () => 'NOT_APPLICABLE')];
}

/** The active group's deadline passed: its waiting signers EXPIRED, later groups NOT_APPLICABLE. */
export function expire(state: SignatureJobState, now: string): JobEvent[] {
  const group = state.activeGroup;
  const expiring = new Set(group === undefined ? [] : signersOfGroup(state, group).map((s) => s.id));
  return endJob(state, 'FAILED', now, 'EXPIRED', (s) => (expiring.has(s.id) ? 'EXPIRED' : 'NOT_APPLICABLE'));
}

/** The sender cancelled: every signer who has not signed is CANCELLED, in any group. */
export function cancel(state: SignatureJobState, now: string): JobEvent[] {
  return endJob(state, 'FAILED', now, 'CANCELLED', () => 'CANCELLED');
}

export function complete(state: SignatureJobState, now: string): JobEvent[] {
  return endJob(state, 'COMPLETED_SUCCESSFULLY', now, undefined, () => 'NOT_APPLICABLE');
}

export function failPackaging(state: SignatureJobState, now: string): JobEvent[] {
  return endJob(state, 'FAILED', now, 'PACKAGING_FAILED', () => 'NOT_APPLICABLE');
}

function endJob(
  state: SignatureJobState,
  status: JobStatus,
  now: string,
  reason: SignatureJobState['failureReason'],
  statusOfWaiting: (s: SignerState) => SignerStatus,
): JobEvent[] {
  const events: JobEvent[] = [];
  for (const s of state.signers) {
    if (s.status === 'WAITING') events.push(setSigner(s, statusOfWaiting(s), now));
  }
  state.status = status;
  state.since = now;
  if (reason) state.failureReason = reason;
  delete state.activeGroup;
  events.push({ type: 'JOB_STATUS', at: now, status, ...(reason ? { reason } : {}) });
  return events;
}

export function markDocumentsDeleted(state: SignatureJobState, now: string): JobEvent[] {
  state.documentsDeleted = true;
  return [{ type: 'DOCUMENTS_DELETED', at: now }];
}
