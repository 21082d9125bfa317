/**
 * How a job ended, named apart: the contract's status says only IN_PROGRESS, COMPLETED_SUCCESSFULLY
 * or FAILED, and a sender needs to tell a rejection from a cancel, an expiry, or a signer the
 * service could not reach. One pure function derives it from the recorded state (the job's status
 * and its signers' statuses); the read model records its answer (`signature_jobs.outcome`), and the
 * job list, its filter, the job page and the JSON API all show that.
 */
import type { JobStatus, SignerStatus } from '../job/model.js';

export const JOB_OUTCOMES = [
  'IN_PROGRESS',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
  'EXPIRED',
  'RESERVED',
  'CONTACT_INFORMATION_MISSING',
  'FAILED',
] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/**
 * The signer statuses that end a job, in the order they are looked for: each ends the job alone
 * (a rejection, the sender's cancel, the deadline, a signer the register shows reserved or without
 * contact details), so a failed job has at most one of them besides NOT_APPLICABLE.
 */
const ENDING_SIGNER_STATUSES = [
  'REJECTED',
  'CANCELLED',
  'EXPIRED',
  'RESERVED',
  'CONTACT_INFORMATION_MISSING',
] as const satisfies readonly (SignerStatus & JobOutcome)[];

/**
 * The job's outcome. A failed job with none of the ending signer statuses failed otherwise (a
 * direct signer's ceremony failed, too many wrong codes in old jobs, packaging failed): FAILED.
 */
export function jobOutcome(job: {
  status: JobStatus;
  signers: readonly { status: SignerStatus }[];
}): JobOutcome {
  if (job.status === 'IN_PROGRESS') return 'IN_PROGRESS';
  if (job.status === 'COMPLETED_SUCCESSFULLY') return 'COMPLETED';
  const statuses = new Set(job.signers.map((s) => s.status));
  return ENDING_SIGNER_STATUSES.find((s) => statuses.has(s)) ?? 'FAILED';
}
