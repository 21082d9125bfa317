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

/**
 * Why the job ended, in words for operators (the workflow's result or failure in the Temporal
 * UI); undefined while in progress or once completed. Signers are named by their place in the
 * sender's list: their names never enter the workflow.
 */
export function outcomeCause(job: {
  status: JobStatus;
  failureReason?: string;
  signers: readonly { status: SignerStatus }[];
}): string | undefined {
  const who = (status: SignerStatus) =>
    job.signers.flatMap((s, i) => (s.status === status ? [`signer ${i + 1}`] : [])).join(', ') || 'a signer';
  const outcome = jobOutcome(job);
  switch (outcome) {
    case 'IN_PROGRESS':
    case 'COMPLETED':
      return undefined;
    case 'REJECTED':
      return `Rejected by ${who('REJECTED')}.`;
    case 'CANCELLED':
      return 'Cancelled by the sender.';
    case 'EXPIRED':
      return `The deadline passed before ${who('EXPIRED')} signed.`;
    case 'RESERVED':
      return `The contact register shows ${who('RESERVED')} reserved against digital contact: the job cannot be shown to them.`;
    case 'CONTACT_INFORMATION_MISSING':
      return `The contact register has no e-mail address or mobile number for ${who('CONTACT_INFORMATION_MISSING')}.`;
    case 'FAILED':
      if (job.failureReason === 'PACKAGING_FAILED')
        return 'The signed documents could not be packaged (the packageJob activity failed for good).';
      if (job.failureReason === 'BLOCKED') return `Blocked by wrong one-time codes: ${who('BLOCKED')}.`;
      return `The signing ceremony of ${who('FAILED')} failed.`;
  }
}
