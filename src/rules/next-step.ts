/**
 * What a job waits for next, in one place for every screen and the API: a pure function of the
 * recorded state (the read model) and the notice schedule's rules. The signing page, the sender's
 * job page and the JSON job view all show this, so they cannot disagree.
 */
import type { JobStatus, SignerStatus } from '../job/model.js';
import { noticeSchedule } from './reminders.js';

export interface NextStepSigner {
  id: string;
  /** 1-based place in the sender's list. */
  number: number;
  /** The eID's name once they signed. */
  name: string | null;
  order: number;
  status: SignerStatus;
  /** The channels their notices go by, as recorded at their group's activation; null while unknown. */
  channels: { email: boolean; sms: boolean } | null;
  /** Whether any notice to them has been recorded as sent. */
  notified: boolean;
}

export interface NextStepInput {
  status: JobStatus;
  flow: 'portal' | 'direct';
  /** The signed PAdES is stored. */
  hasPades: boolean;
  activeOrder: number | null;
  groupActivatedAt: Date | null;
  deadline: Date | null;
  signers: NextStepSigner[];
}

/** A notice to a signer of the active group that the SMS quiet hours hold back. */
export interface HeldNotice {
  signerId: string;
  number: number;
  name: string | null;
  /** When it goes out (08:00 Oslo time). */
  until: string;
  reason: 'SMS_QUIET_HOURS';
}

export type NextStep =
  /** Not yet activated (a future activation time). */
  | { kind: 'NOT_STARTED' }
  /** The active group's signatures, until its deadline; notices held back and why. */
  | {
      kind: 'SIGNATURES';
      /** The group's place in the signing order, from 1. */
      group: number;
      /** The group's order number as the sender gave it (the API's `order`). */
      order: number;
      groups: number;
      /** Signers of that group still to sign. */
      waitingFor: number;
      deadline: string | null;
      held: HeldNotice[];
    }
  /** Every signature is in: the signed documents are being packaged. */
  | { kind: 'PACKAGING' }
  /** Nothing left to wait for: the job ended. */
  | { kind: 'NONE' };

export function nextStep(input: NextStepInput): NextStep {
  if (input.status !== 'IN_PROGRESS') {
    return input.status === 'COMPLETED_SUCCESSFULLY' && !input.hasPades
      ? { kind: 'PACKAGING' }
      : { kind: 'NONE' };
  }
  const left = input.signers.filter((s) => s.status !== 'SIGNED');
  if (left.length === 0) return { kind: 'PACKAGING' };
  if (input.activeOrder === null) return { kind: 'NOT_STARTED' };
  const orders = [...new Set(input.signers.map((s) => s.order))].sort((a, b) => a - b);
  const active = input.signers.filter((s) => s.order === input.activeOrder);
  return {
    kind: 'SIGNATURES',
    group: orders.indexOf(input.activeOrder) + 1,
    order: input.activeOrder,
    groups: orders.length,
    waitingFor: active.filter((s) => s.status === 'WAITING').length,
    deadline: input.deadline?.toISOString() ?? null,
    held: input.flow === 'portal' ? heldNotices(input, active) : [],
  };
}

/**
 * A waiting signer with no notice sent whose first notice the schedule moved past the group's
 * activation: the SMS quiet hours hold it until the morning (only SMS is ever moved).
 */
function heldNotices(input: NextStepInput, active: NextStepSigner[]): HeldNotice[] {
  const { groupActivatedAt, deadline } = input;
  if (!groupActivatedAt || !deadline) return [];
  return active.flatMap((s) => {
    if (s.status !== 'WAITING' || s.notified || !s.channels) return [];
    const first = noticeSchedule({ activatedAt: groupActivatedAt, deadline, channels: s.channels })[0];
    if (first?.channel !== 'SMS' || first.at.getTime() <= groupActivatedAt.getTime()) return [];
    return [
      {
        signerId: s.id,
        number: s.number,
        name: s.name,
        until: first.at.toISOString(),
        reason: 'SMS_QUIET_HOURS',
      },
    ];
  });
}

/**
 * What the job waits for and until when, in English words, for operators (the workflow's status
 * query in the Temporal UI): the step of `nextStep` above, naming who it waits for. A signer is
 * named by the eID's name once known, else by their place in the sender's list; times are Oslo's.
 */
export function nextStepInWords(input: NextStepInput, activationTime?: string): string {
  const step = nextStep(input);
  switch (step.kind) {
    case 'NONE':
      return 'Nothing: the job has ended.';
    case 'NOT_STARTED':
      return activationTime && Date.parse(activationTime) > Date.now()
        ? `Waiting for the activation time, ${osloTime(activationTime)}.`
        : 'Starting: the first group is being prepared.';
    case 'PACKAGING':
      return 'Everyone has signed: packaging the signed documents.';
    case 'SIGNATURES': {
      const waiting = input.signers.filter((s) => s.order === input.activeOrder && s.status === 'WAITING');
      const until = step.deadline ? ` until ${osloTime(step.deadline)}` : '';
      const held = step.held.map(
        (h) =>
          ` Holding the SMS notice to ${signerName(h)} until ${osloTime(h.until)} (quiet hours: no SMS from 22:00 to 08:00).`,
      );
      return `Waiting for ${listOf(waiting.map(signerName))} (group ${step.group} of ${step.groups}) to sign${until}.${held.join('')}`;
    }
  }
}

const signerName = (s: { number: number; name: string | null }) => s.name ?? `signer ${s.number}`;

function listOf(names: string[]): string {
  if (names.length <= 1) return names[0] ?? 'nobody';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function osloTime(at: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Oslo',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(at));
}
