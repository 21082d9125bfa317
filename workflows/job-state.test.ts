/**
 * The job's state machine on its own: each transition's events and the state it leaves, and who
 * may act when (docs/domain.md). No Temporal, no database: plain objects and fixed times.
 */
import { describe, expect, it } from 'vitest';
import type { SignatureJobInput, SignatureJobState, WorkflowSigner } from '../src/job/model.js';
import {
  activateGroup,
  activateJob,
  allSigned,
  cancel,
  complete,
  contactFailure,
  expire,
  extendDeadline,
  failPackaging,
  failSigner,
  groupSigned,
  groupsOf,
  initialState,
  isEnded,
  markDocumentsDeleted,
  refusalToAct,
  reject,
  sign,
  signersOfGroup,
} from './job-state.js';

const CREATED = '2026-01-01T09:00:00.000Z';
const LATER = '2026-01-02T10:00:00.000Z';
const DEADLINE = '2026-01-31T09:00:00.000Z';
const NEW_DEADLINE = '2026-02-14T09:00:00.000Z';

const signer = (id: string, order: number): WorkflowSigner => ({
  id,
  order,
  signatureType: 'ADVANCED_SIGNATURE',
  onBehalfOf: 'SELF',
  channels: { email: true, sms: false },
});

/** A portal job of two groups: a and b sign first (order 1), then c (order 5). */
const portalInput = (extra: Partial<SignatureJobInput> = {}): SignatureJobInput => ({
  jobId: 'job-1',
  org: '987654325',
  flow: 'portal',
  requiredAuthentication: 3,
  signers: [signer('c', 5), signer('a', 1), signer('b', 1)],
  availableSeconds: 30 * 24 * 3600,
  longTermStorage: false,
  ...extra,
});

/** The portal job with its first group activated at CREATED. */
function activePortalJob(): SignatureJobState {
  const state = initialState(portalInput(), CREATED);
  activateJob(state, CREATED);
  activateGroup(state, 0, CREATED, DEADLINE);
  return state;
}

const statusOf = (state: SignatureJobState) => Object.fromEntries(state.signers.map((s) => [s.id, s.status]));

describe('a new job', () => {
  it('is in progress, not activated, every signer waiting since its creation', () => {
    const state = initialState(portalInput({ activationTime: LATER }), CREATED);
    expect(state).toMatchObject({ jobId: 'job-1', status: 'IN_PROGRESS', since: CREATED, activated: false });
    expect(state.activationTime).toBe(LATER);
    expect(state.activeGroup).toBeUndefined();
    expect(state.documentsDeleted).toBe(false);
    expect(state.signers.map((s) => [s.id, s.status, s.since])).toEqual([
      ['c', 'WAITING', CREATED],
      ['a', 'WAITING', CREATED],
      ['b', 'WAITING', CREATED],
    ]);
  });

  it('has no activation time unless one was given', () => {
    expect('activationTime' in initialState(portalInput(), CREATED)).toBe(false);
  });

  it('groups portal signers by order, ascending, keeping the given order within a group', () => {
    expect(groupsOf(portalInput())).toEqual([
      { order: 1, signerIds: ['a', 'b'] },
      { order: 5, signerIds: ['c'] },
    ]);
    expect(initialState(portalInput(), CREATED).groups).toEqual([{ order: 1 }, { order: 5 }]);
  });

  it('puts every direct signer in one group whatever their order', () => {
    const direct = portalInput({ flow: 'direct' });
    expect(groupsOf(direct)).toEqual([{ order: 0, signerIds: ['c', 'a', 'b'] }]);
    const state = initialState(direct, CREATED);
    expect(signersOfGroup(state, 0).map((s) => s.id)).toEqual(['c', 'a', 'b']);
  });
});

describe('activation', () => {
  it('activating the job marks it activated and says so', () => {
    const state = initialState(portalInput(), CREATED);
    expect(activateJob(state, LATER)).toEqual([{ type: 'JOB_ACTIVATED', at: LATER }]);
    expect(state.activated).toBe(true);
  });

  it('activating a group sets its time and deadline, makes it the active one and names its signers', () => {
    const state = initialState(portalInput(), CREATED);
    activateJob(state, CREATED);
    expect(activateGroup(state, 1, LATER, DEADLINE)).toEqual([
      { type: 'GROUP_ACTIVATED', at: LATER, group: 1, deadline: DEADLINE, signerIds: ['c'] },
    ]);
    expect(state.activeGroup).toBe(1);
    expect(state.groups[1]).toEqual({ order: 5, activatedAt: LATER, deadline: DEADLINE });
    expect(state.groups[0]).toEqual({ order: 1 });
  });

  it('refuses a group that does not exist, changing nothing', () => {
    const state = activePortalJob();
    expect(() => activateGroup(state, 2, LATER, DEADLINE)).toThrow('no group 2');
    expect(state.activeGroup).toBe(0);
  });
});

describe('who may act', () => {
  it('a signer of the active group who is waiting may', () => {
    const state = activePortalJob();
    expect(refusalToAct(state, 'a')).toBeNull();
    expect(refusalToAct(state, 'b')).toBeNull();
  });

  it('a signer of a later group may not yet', () => {
    expect(refusalToAct(activePortalJob(), 'c')).toBe('NOT_SIGNERS_TURN');
  });

  it('nobody may before a group is activated', () => {
    const state = initialState(portalInput(), CREATED);
    expect(refusalToAct(state, 'a')).toBe('JOB_NOT_ACTIVE');
  });

  it('an unknown signer is named as such', () => {
    expect(refusalToAct(activePortalJob(), 'zz')).toBe('UNKNOWN_SIGNER');
  });

  it('a signer who signed may not act again', () => {
    const state = activePortalJob();
    sign(state, 'a', LATER);
    expect(refusalToAct(state, 'a')).toBe('ALREADY_ACTED');
    expect(refusalToAct(state, 'b')).toBeNull();
  });

  it('nobody may once a rejection was recorded, even before the job status changes', () => {
    const state = activePortalJob();
    state.signers.find((s) => s.id === 'a')!.status = 'REJECTED';
    expect(state.status).toBe('IN_PROGRESS');
    expect(refusalToAct(state, 'b')).toBe('JOB_ENDED');
  });

  it('nobody may once the job ended: those it ended for have acted, one still waiting is told it ended', () => {
    const state = activePortalJob();
    cancel(state, LATER);
    expect(refusalToAct(state, 'c')).toBe('ALREADY_ACTED');
    const ended = activePortalJob();
    ended.status = 'FAILED';
    expect(refusalToAct(ended, 'a')).toBe('JOB_ENDED');
  });
});

describe('signing', () => {
  it('marks the signer SIGNED since now and reports it', () => {
    const state = activePortalJob();
    expect(sign(state, 'a', LATER)).toEqual([
      { type: 'SIGNER_STATUS', at: LATER, signerId: 'a', status: 'SIGNED' },
    ]);
    expect(state.signers.find((s) => s.id === 'a')).toMatchObject({ status: 'SIGNED', since: LATER });
    expect(state.status).toBe('IN_PROGRESS');
  });

  it('a group is signed once all its signers signed, the job once every group is', () => {
    const state = activePortalJob();
    sign(state, 'a', LATER);
    expect(groupSigned(state, 0)).toBe(false);
    sign(state, 'b', LATER);
    expect(groupSigned(state, 0)).toBe(true);
    expect(allSigned(state)).toBe(false);
    activateGroup(state, 1, LATER, DEADLINE);
    sign(state, 'c', LATER);
    expect(groupSigned(state, 1)).toBe(true);
    expect(allSigned(state)).toBe(true);
  });

  it('refuses an unknown signer', () => {
    expect(() => sign(activePortalJob(), 'zz', LATER)).toThrow('unknown signer zz');
  });
});

describe('ending the job', () => {
  it('a rejection fails the job; the others waiting become NOT_APPLICABLE, a signature stays', () => {
    const state = activePortalJob();
    sign(state, 'b', CREATED);
    expect(reject(state, 'a', LATER, 'wrong amount')).toEqual([
      { type: 'SIGNER_STATUS', at: LATER, signerId: 'a', status: 'REJECTED', reason: 'wrong amount' },
      { type: 'SIGNER_STATUS', at: LATER, signerId: 'c', status: 'NOT_APPLICABLE' },
      { type: 'JOB_STATUS', at: LATER, status: 'FAILED', reason: 'REJECTED' },
    ]);
    expect(statusOf(state)).toEqual({ a: 'REJECTED', b: 'SIGNED', c: 'NOT_APPLICABLE' });
    expect(state.signers.find((s) => s.id === 'a')!.rejectionReason).toBe('wrong amount');
    expect(state).toMatchObject({ status: 'FAILED', since: LATER, failureReason: 'REJECTED' });
    expect(state.activeGroup).toBeUndefined();
    expect(isEnded(state)).toBe(true);
  });

  it('a rejection without a reason records none', () => {
    const state = activePortalJob();
    const [event] = reject(state, 'a', LATER);
    expect(event).toEqual({ type: 'SIGNER_STATUS', at: LATER, signerId: 'a', status: 'REJECTED' });
    expect('rejectionReason' in state.signers.find((s) => s.id === 'a')!).toBe(false);
  });

  it('a failed or blocked signer fails the job with that as the reason', () => {
    for (const status of ['FAILED', 'BLOCKED'] as const) {
      const state = activePortalJob();
      const events = failSigner(state, 'b', status, LATER);
      expect(events[0]).toEqual({ type: 'SIGNER_STATUS', at: LATER, signerId: 'b', status });
      expect(events.at(-1)).toEqual({ type: 'JOB_STATUS', at: LATER, status: 'FAILED', reason: status });
      expect(statusOf(state)).toEqual({ a: 'NOT_APPLICABLE', b: status, c: 'NOT_APPLICABLE' });
    }
  });

  it('signers who cannot be reached fail the job with the first outcome as the reason', () => {
    const state = activePortalJob();
    const events = contactFailure(
      state,
      [
        { signerId: 'a', outcome: 'RESERVED' },
        { signerId: 'b', outcome: 'CONTACT_INFORMATION_MISSING' },
      ],
      LATER,
    );
    expect(events.map((e) => e.type === 'SIGNER_STATUS' && [e.signerId, e.status])).toEqual([
      ['a', 'RESERVED'],
      ['b', 'CONTACT_INFORMATION_MISSING'],
      ['c', 'NOT_APPLICABLE'],
      false,
    ]);
    expect(state).toMatchObject({ status: 'FAILED', failureReason: 'RESERVED' });
  });

  it("expiry: the active group's waiting signers EXPIRED, later groups NOT_APPLICABLE", () => {
    const state = activePortalJob();
    sign(state, 'a', CREATED);
    expect(expire(state, DEADLINE)).toEqual([
      { type: 'SIGNER_STATUS', at: DEADLINE, signerId: 'c', status: 'NOT_APPLICABLE' },
      { type: 'SIGNER_STATUS', at: DEADLINE, signerId: 'b', status: 'EXPIRED' },
      { type: 'JOB_STATUS', at: DEADLINE, status: 'FAILED', reason: 'EXPIRED' },
    ]);
    expect(statusOf(state)).toEqual({ a: 'SIGNED', b: 'EXPIRED', c: 'NOT_APPLICABLE' });
    expect(state).toMatchObject({ status: 'FAILED', since: DEADLINE, failureReason: 'EXPIRED' });
  });

  it('expiry before any group was activated expires nobody', () => {
    const state = initialState(portalInput(), CREATED);
    expire(state, DEADLINE);
    expect(statusOf(state)).toEqual({ a: 'NOT_APPLICABLE', b: 'NOT_APPLICABLE', c: 'NOT_APPLICABLE' });
  });

  it('cancelling: every signer who has not signed is CANCELLED, in any group', () => {
    const state = activePortalJob();
    sign(state, 'a', CREATED);
    const events = cancel(state, LATER);
    expect(events.at(-1)).toEqual({ type: 'JOB_STATUS', at: LATER, status: 'FAILED', reason: 'CANCELLED' });
    expect(statusOf(state)).toEqual({ a: 'SIGNED', b: 'CANCELLED', c: 'CANCELLED' });
    expect(state.signers.find((s) => s.id === 'a')!.since).toBe(CREATED);
  });

  it('completing: the job succeeds with no failure reason', () => {
    const state = activePortalJob();
    for (const id of ['a', 'b', 'c']) sign(state, id, CREATED);
    expect(complete(state, LATER)).toEqual([
      { type: 'JOB_STATUS', at: LATER, status: 'COMPLETED_SUCCESSFULLY' },
    ]);
    expect(state).toMatchObject({ status: 'COMPLETED_SUCCESSFULLY', since: LATER });
    expect(state.failureReason).toBeUndefined();
    expect(state.activeGroup).toBeUndefined();
  });

  it('packaging that fails fails the job after every signature', () => {
    const state = activePortalJob();
    for (const id of ['a', 'b', 'c']) sign(state, id, CREATED);
    expect(failPackaging(state, LATER)).toEqual([
      { type: 'JOB_STATUS', at: LATER, status: 'FAILED', reason: 'PACKAGING_FAILED' },
    ]);
    expect(state.failureReason).toBe('PACKAGING_FAILED');
  });
});

describe('deadline extension', () => {
  it("moves the active group's deadline and reports it", () => {
    const state = activePortalJob();
    expect(extendDeadline(state, NEW_DEADLINE, LATER)).toEqual([
      { type: 'DEADLINE_EXTENDED', at: LATER, group: 0, deadline: NEW_DEADLINE },
    ]);
    expect(state.groups[0]!.deadline).toBe(NEW_DEADLINE);
    expect(state.groups[0]!.activatedAt).toBe(CREATED);
  });

  it('refuses when no group is active: before activation and after the job ended', () => {
    expect(() => extendDeadline(initialState(portalInput(), CREATED), NEW_DEADLINE, LATER)).toThrow(
      'no active group',
    );
    const ended = activePortalJob();
    cancel(ended, LATER);
    expect(() => extendDeadline(ended, NEW_DEADLINE, LATER)).toThrow('no active group');
    expect(ended.groups[0]!.deadline).toBe(DEADLINE);
  });
});

describe('documents', () => {
  it('deleting them is recorded on the state and reported', () => {
    const state = activePortalJob();
    complete(state, LATER);
    expect(markDocumentsDeleted(state, NEW_DEADLINE)).toEqual([
      { type: 'DOCUMENTS_DELETED', at: NEW_DEADLINE },
    ]);
    expect(state.documentsDeleted).toBe(true);
  });
});
