/**
 * The messages a signature-job workflow answers: its query, its updates. Shared by the workflow,
 * the API and the tests, so both ends agree on names and types.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AuthenticationLevel, GroupState, SignatureJobState, SignerState } from '../src/job/model.js';
import type { JobOutcome } from '../src/rules/outcome.js';

export const WORKFLOW_TYPE = 'signatureJob';

export interface SignArgs {
  signerId: string;
  /** Security level of the signer's eID login. */
  authenticationLevel: AuthenticationLevel;
}

export interface RejectArgs {
  signerId: string;
  reason?: string;
}

export interface ExtendDeadlineArgs {
  /** The active group's new lifetime, counted from that group's activation. */
  availableSeconds: number;
}

/**
 * What the `status` query answers: the job's outcome so far, what it waits for and until when in
 * words (from src/rules/next-step.ts), then the whole state.
 */
export type JobStatusView = SignatureJobState & { outcome: JobOutcome; waitingFor: string };

/**
 * The workflow's result (since `ends-with-job-v1`): the job's outcome first, then its state. A
 * job the service could not carry out (outcome RESERVED, CONTACT_INFORMATION_MISSING or FAILED)
 * fails the workflow instead, with the cause as its message and this as the failure's details.
 */
export type JobResult = SignatureJobState & { outcome: JobOutcome; cause?: string };

export const statusQuery = defineQuery<JobStatusView>('status');
export const signUpdate = defineUpdate<SignerState, [SignArgs]>('sign');
export const rejectUpdate = defineUpdate<SignerState, [RejectArgs]>('reject');
export interface SignerFailedArgs {
  signerId: string;
  /**
   * FAILED: the direct flow's ceremony failed. BLOCKED (too many wrong one-time codes) is refused
   * now (CODES_NEVER_BLOCK): wrong codes delay the next try instead. It stays in the type because
   * histories of jobs that took it before must replay.
   */
  status: 'BLOCKED' | 'FAILED';
}

/** The signer can no longer act; ends the job like a rejection. */
export const signerFailedUpdate = defineUpdate<SignerState, [SignerFailedArgs]>('signerFailed');
export const cancelUpdate = defineUpdate<SignatureJobState, []>('cancel');
export const extendDeadlineUpdate = defineUpdate<GroupState, [ExtendDeadlineArgs]>('extendDeadline');
/** The sender deletes the documents of an ended job before the retention deadline. */
export const deleteDocumentsUpdate = defineUpdate<SignatureJobState, []>('deleteDocuments');

/**
 * The failure types an update validator refuses with (ApplicationFailure.type). The API maps
 * every one of them to 409 Conflict with the same code.
 */
export const REFUSAL_TYPES = [
  'UNKNOWN_SIGNER',
  'JOB_ENDED',
  'JOB_NOT_ACTIVE',
  'NOT_SIGNERS_TURN',
  'ALREADY_ACTED',
  'JOB_NOT_ENDED',
  'NOT_PORTAL_JOB',
  'INVALID_DEADLINE',
  'TOO_MANY_EXTENSIONS',
  'DEADLINE_EARLIER_THAN_CURRENT',
  'CODES_NEVER_BLOCK',
] as const;
export type RefusalType = (typeof REFUSAL_TYPES)[number];
