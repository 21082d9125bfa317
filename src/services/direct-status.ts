/** A direct job's status for the holder of a signer's status query token (JSON and XML API). */
import { signerOfStatusQueryToken } from './direct-signers.js';
import { findOwnedJob, getSignatureJob, type JobRecord } from './find-job.js';
import type { JobServiceDeps } from './job-service.js';
import { RequestRefusedError } from './refusals.js';

/** Tokens the service hands out are 43 characters; a longer one is refused unread. */
export const MAX_STATUS_QUERY_TOKEN_LENGTH = 100;

/**
 * After the signer's redirect back to the sender: the job's status for the holder of the
 * `status_query_token` that came with it. 403 INVALID_STATUS_QUERY_TOKEN for a token not of this
 * job; 404 SIGNING_CEREMONY_NOT_COMPLETED while the signer has neither signed nor rejected (the
 * ceremony ended in an error, say).
 */
export async function directStatusForToken(
  jobDeps: JobServiceDeps,
  org: string,
  jobId: string,
  token: string | undefined,
): Promise<JobRecord> {
  await findOwnedJob(jobDeps.db, org, 'direct', jobId);
  if (!token) {
    throw new RequestRefusedError(
      'INVALID',
      'MISSING_STATUS_QUERY_TOKEN',
      'the status_query_token query parameter is required',
      [{ path: 'status_query_token', code: 'REQUIRED', message: 'the token the signer brought back' }],
    );
  }
  const signerId =
    token.length > MAX_STATUS_QUERY_TOKEN_LENGTH
      ? null
      : await signerOfStatusQueryToken(jobDeps.db, jobId, token);
  if (!signerId) {
    throw new RequestRefusedError(
      'FORBIDDEN',
      'INVALID_STATUS_QUERY_TOKEN',
      'the status_query_token is not valid for this job',
    );
  }
  const rec = await getSignatureJob(jobDeps, org, 'direct', jobId);
  const signer = rec.signers.find((s) => s.id === signerId);
  if (!signer || signer.status === 'WAITING') {
    throw new RequestRefusedError(
      'NOT_FOUND',
      'SIGNING_CEREMONY_NOT_COMPLETED',
      'the signer has not completed the signing ceremony',
    );
  }
  return rec;
}
