/**
 * How long an ended job's documents are kept (docs/domain.md): 40 days after the job ended. A completed
 * job with long-term storage is the long-term archive's from then on (src/archive): it keeps the
 * documents up to 50 years from when the signed PAdES was stored, so the job itself has no
 * retention deadline (undefined).
 */
import { type JobStatus, RETENTION_SECONDS } from './model.js';

export function retentionDeadline(
  endedAt: Date,
  job: { status: JobStatus; longTermStorage: boolean },
): Date | undefined {
  if (job.status === 'IN_PROGRESS') return undefined;
  if (job.status === 'COMPLETED_SUCCESSFULLY' && job.longTermStorage) return undefined;
  return new Date(endedAt.getTime() + RETENTION_SECONDS * 1000);
}
