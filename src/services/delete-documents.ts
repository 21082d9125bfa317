/** A sender's request to delete a job's documents and results (JSON and XML API). */
import type { DocumentStore } from '../storage/index.js';
import { deleteJobDocuments, JobConflictError, type JobServiceDeps } from './signature-jobs.js';

/**
 * Deletes the documents and results of an ended job: by its workflow while it holds them (moments
 * later), else at once (see deleteJobDocuments). Asking again once they are gone is no conflict.
 */
export async function requestDocumentDeletion(
  jobDeps: JobServiceDeps & { storage: DocumentStore },
  job: { id: string; status: string },
): Promise<void> {
  try {
    await deleteJobDocuments(jobDeps, job.id);
  } catch (err) {
    const closed =
      err instanceof JobConflictError && err.code === 'JOB_ENDED' && job.status !== 'IN_PROGRESS';
    if (!closed) throw err;
  }
}
