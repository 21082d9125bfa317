/**
 * A signer signs or rejects: the one path the signing portal, the direct-flow ceremony and the
 * development endpoints all take, so the workflow is driven the same way whoever asks.
 */
import {
  rejectUpdate,
  type SignArgs,
  type SignerFailedArgs,
  signerFailedUpdate,
  signUpdate,
} from '../../workflows/definitions.js';
import { signerStatus } from '../db/job-reads.js';
import { mirroredSignerStatus } from '../db/signers.js';
import type { AuthenticationLevel, SignerState } from '../job/model.js';
import { toStorableText } from '../rules/storable-text.js';
import type { SigningContext } from '../signatures/context.js';
import {
  createSignerSignature,
  discardSignerSignature,
  type SignerIdentity,
} from '../signatures/job-results.js';
import type { DocumentStore } from '../storage/index.js';
import { type CeremonyOutcome, finishDirectCeremony } from './direct-signers.js';
import { handleOf, JobConflictError, type JobServiceDeps, runUpdate } from './job-service.js';

/** The job services, and what a signature is made with and stored in. */
export type SignerActionDeps = JobServiceDeps & { signing: SigningContext; storage: DocumentStore };

export type SignerAction =
  | { type: 'sign'; authenticationLevel: AuthenticationLevel; identity: SignerIdentity }
  | { type: 'reject'; reason?: string };

export interface SignerActionResult {
  signer: SignerState;
  /** Direct flow: the sender's exit URL the signer's browser is sent to next. */
  redirectUrl?: string;
}

/**
 * Runs the signer's action through the job's workflow (JobConflictError when the signer may not
 * act now) and, for a direct job, ends the ceremony with the exit URL and its status query token.
 */
export async function actAsSigner(
  deps: SignerActionDeps,
  target: { jobId: string; signerId: string; flow: 'direct' | 'portal' },
  action: SignerAction,
): Promise<SignerActionResult> {
  await refuseIfAlreadyActed(deps, target);
  const signer =
    action.type === 'sign'
      ? await signWithSignature(deps, target, action)
      : await rejectAsSigner(deps, target.jobId, target.signerId, action.reason);
  if (target.flow !== 'direct') return { signer };
  const outcome: CeremonyOutcome = action.type === 'sign' ? 'SIGNED' : 'REJECTED';
  return { signer, redirectUrl: await finishDirectCeremony(deps.db, target, outcome) };
}

/**
 * A signature is its signature object: the signer's XAdES is made and stored first, then the
 * workflow is told. If the workflow refuses (the signer may not sign now), the XAdES goes again.
 */
async function signWithSignature(
  deps: SignerActionDeps,
  target: { jobId: string; signerId: string },
  action: Extract<SignerAction, { type: 'sign' }>,
): Promise<SignerState> {
  await createSignerSignature(deps, target.jobId, target.signerId, action.identity);
  try {
    return await signAsSigner(deps, target.jobId, {
      signerId: target.signerId,
      authenticationLevel: action.authenticationLevel,
    });
  } catch (err) {
    if (err instanceof JobConflictError) {
      // A concurrent, accepted signature of the same signer shares the stored XAdES: keep it then.
      const signed = (await signerStatus(deps.db, target.jobId, target.signerId)) === 'SIGNED';
      if (!signed) await discardSignerSignature(deps, target.jobId, target.signerId);
    }
    throw err;
  }
}

/**
 * A signer who has already signed or rejected gets the workflow's own refusal (`refusalToAct`:
 * ALREADY_ACTED), also once the workflow has closed, and before a second signature is made.
 * Other ends of a signer (expired, cancelled, ...) are left for the workflow to name. Without this a repeated signing would make a XAdES, find the first one kept
 * instead, and, once the job's documents were deleted, fail on the first one's missing bytes (a
 * 500 for what is the signer's repeated click). The row mirrors the workflow's signer status.
 */
async function refuseIfAlreadyActed(deps: SignerActionDeps, target: { jobId: string; signerId: string }) {
  const row = await mirroredSignerStatus(deps.db, target.jobId, target.signerId);
  if (row?.status === 'SIGNED' || row?.status === 'REJECTED') {
    throw new JobConflictError('ALREADY_ACTED', 'the signer has already signed or rejected');
  }
}

/** The workflow updates a signer's action drives. */
export async function signAsSigner(deps: JobServiceDeps, jobId: string, args: SignArgs) {
  return runUpdate(() => handleOf(deps, jobId).executeUpdate(signUpdate, { args: [args] }));
}

/** The reason goes into the audit trail: made storable here whatever page or endpoint passed it. */
export async function rejectAsSigner(deps: JobServiceDeps, jobId: string, signerId: string, reason?: string) {
  return runUpdate(() =>
    handleOf(deps, jobId).executeUpdate(rejectUpdate, {
      args: [{ signerId, ...(reason ? { reason: toStorableText(reason) } : {}) }],
    }),
  );
}

/** The signer can no longer act (FAILED: the direct flow's ceremony failed): ends the job like a rejection. */
export async function failSigner(deps: JobServiceDeps, jobId: string, args: SignerFailedArgs) {
  return runUpdate(() => handleOf(deps, jobId).executeUpdate(signerFailedUpdate, { args: [args] }));
}
