/** The sender cancels a job (JSON API, XML API, sender portal); the workflow decides if it may. */
import { cancelUpdate } from '../../workflows/definitions.js';
import { handleOf, type JobServiceDeps, runUpdate } from './job-service.js';

export async function cancelJob(deps: JobServiceDeps, jobId: string) {
  return runUpdate(() => handleOf(deps, jobId).executeUpdate(cancelUpdate));
}
