/** A sender's request to delete a job's documents and results (JSON and XML API, sender portal). */
import { deleteDocumentsUpdate } from '../../workflows/definitions.js';
import { deleteEndedJobDocuments } from '../archive/ended-job-documents.js';
import { deleteArchivedJob } from '../archive/index.js';
import type { DocumentStore } from '../storage/index.js';
import { handleOf, JobConflictError, type JobServiceDeps, runUpdate } from './job-service.js';

/**
 * The sender deletes an ended job's documents before their retention deadline. A job's workflow
 * started before `ends-with-job-v1` still holds them and deletes them itself; since then the
 * workflow ends with the job (the update is refused, JOB_ENDED), and they are deleted here: by the
 * archive for a long-term job handed to it, else at once (JOB_ENDED when they are gone already).
 */
export async function deleteJobDocuments(deps: JobServiceDeps & { storage: DocumentStore }, jobId: string) {
  try {
    await runUpdate(() => handleOf(deps, jobId).executeUpdate(deleteDocumentsUpdate));
  } catch (err) {
    const closed = err instanceof JobConflictError && err.code === 'JOB_ENDED';
    if (closed && (await deleteArchivedJob(deps, jobId, new Date()))) return;
    if (closed && (await deleteEndedJobDocuments(deps, jobId, new Date(), 'sender'))) return;
    throw err;
  }
}

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
