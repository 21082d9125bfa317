/**
 * Deleting an ended job's documents and results: when their retention deadline has passed (the
 * retention sweep, docs/workflow.md) or when the sender asks. The job's workflow has ended by
 * then (since `ends-with-job-v1`), so this is not the workflow's work but the service's.
 */

import type { Db } from '../db/index.js';
import { documentsState, markDocumentsDeleted } from '../db/retention.js';
import type { DocumentStore } from '../storage/index.js';
import { deleteJobFiles } from './index.js';

/**
 * Deletes the documents of an ended job once: false when the job is still in progress, unknown,
 * or its documents are gone already. The bytes go first, then the mark; a retry repeats both
 * harmlessly.
 */
export async function deleteEndedJobDocuments(
  deps: { db: Db; storage: DocumentStore },
  jobId: string,
  now: Date,
  by: 'retention' | 'sender',
): Promise<boolean> {
  const documents = await documentsState(deps.db, jobId);
  if (!documents?.ended || documents.deleted) return false;
  await deleteJobFiles(deps, jobId, now);
  return markDocumentsDeleted(deps.db, jobId, now, by);
}
