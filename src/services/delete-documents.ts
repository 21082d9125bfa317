/** A sender's request to delete a job's documents and results (JSON and XML API). */
import type { DocumentStore } from '../storage/index.js';
import { deleteJobDocuments, JobConflictError, type JobServiceDeps } from './signature-jobs.js';

/**
 * Asks the job's workflow to delete the documents and results (moments later). A job whose
 * workflow has closed has had its documents deleted already, so asking again is no conflict.
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
