/**
 * Jobs stored without a workflow: the API process that created one died between the two steps
 * (see startStoredJob). A retry with the same Idempotency-Key starts it at once; for senders that
 * do not retry, every API process sweeps now and then. Two processes sweeping the same job is
 * harmless: the workflow id is the job's, so the second start finds the first.
 */
import { strandedJobIds } from '../db/jobs.js';
import type { Logger } from '../log.js';
import { startStoredJob } from './create-job.js';
import type { JobServiceDeps } from './job-service.js';

/** A create request still on its way to starting the workflow is left alone this long. */
export const STRANDED_AFTER_SECONDS = 60;

/** Starts the workflows of jobs stranded for longer than `olderThanSeconds`; returns their ids. */
export async function startStrandedJobs(
  deps: JobServiceDeps,
  olderThanSeconds = STRANDED_AFTER_SECONDS,
  limit = 100,
): Promise<string[]> {
  const ids = await strandedJobIds(deps.db, olderThanSeconds, limit);
  const started: string[] = [];
  for (const id of ids) {
    await startStoredJob(deps, id);
    started.push(id);
  }
  return started;
}

/** Sweeps at start and then every `everySeconds`; the returned function stops it. */
export function startStrandedJobSweeper(
  deps: JobServiceDeps,
  log: Logger,
  everySeconds = STRANDED_AFTER_SECONDS,
): () => void {
  const sweep = () =>
    startStrandedJobs(deps).then(
      (ids) => {
        if (ids.length > 0) log.warn({ jobIds: ids }, 'started the workflows of stranded jobs');
      },
      // The database or Temporal being away is reported and tried again at the next sweep.
      (err: unknown) => log.error({ err }, 'stranded-job sweep failed'),
    );
  void sweep();
  const timer = setInterval(sweep, everySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
