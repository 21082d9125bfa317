/**
 * The workflow's `signerFailed` update, which src/services does not offer yet: a signer who can no
 * longer act (BLOCKED after too many wrong one-time codes) ends the job like a rejection.
 * Refusals become JobConflictError as in the other job services.
 * TODO(lead): move into src/services/signature-jobs.ts beside rejectAsSigner, using runUpdate.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type SignerFailedArgs, signerFailedUpdate } from '../../workflows/definitions.js';
import { workflowIdForJob } from '../job/model.js';
import { JobConflictError, type JobServiceDeps } from '../services/signature-jobs.js';

export async function failSigner(deps: JobServiceDeps, jobId: string, args: SignerFailedArgs) {
  try {
    return await deps.temporal.workflow
      .getHandle(workflowIdForJob(jobId))
      .executeUpdate(signerFailedUpdate, { args: [args] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new JobConflictError(err.cause.type ?? 'CONFLICT', err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) throw new JobConflictError('JOB_ENDED', 'the job has ended');
    throw err;
  }
}
