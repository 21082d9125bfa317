/** A new one-time redirect URL for a direct signer (JSON and XML API). */
import { directJobExpiry, issueRedirectUrl } from './direct-signers.js';
import { getSignatureJob } from './find-job.js';
import { JobConflictError, type JobServiceDeps } from './job-service.js';
import { nothingThere } from './refusals.js';

/** A new one-time redirect URL for a direct signer still WAITING. */
export async function reissueRedirectUrl(
  jobDeps: JobServiceDeps,
  publicUrl: string,
  org: string,
  jobId: string,
  signerId: string,
): Promise<{ signerId: string; identifier: string; redirectUrl: string }> {
  const rec = await getSignatureJob(jobDeps, org, 'direct', jobId);
  const signer = rec.signers.find((s) => s.id === signerId);
  if (!signer) throw nothingThere('no such signer in this job');
  if (rec.job.status !== 'IN_PROGRESS') throw new JobConflictError('JOB_ENDED', 'the job has ended');
  if (signer.status !== 'WAITING')
    throw new JobConflictError('ALREADY_ACTED', 'the signer has already signed or rejected');
  const redirectUrl = await issueRedirectUrl(jobDeps.db, publicUrl, {
    jobId: rec.job.id,
    signerId: signer.id,
    expiresAt: directJobExpiry(rec.job.createdAt),
  });
  return { signerId: signer.id, identifier: signer.identifier, redirectUrl };
}
