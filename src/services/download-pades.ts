/** The sender's download of a job's signed PAdES (JSON and XML API). */
import type { Db } from '../db/index.js';
import { markResultsDownloaded } from '../db/jobs.js';
import { findArtifact } from '../signatures/artifacts.js';
import type { DocumentStore } from '../storage/index.js';
import { nothingThere } from './refusals.js';

/** The job's PAdES for its sender; 404 until made or once deleted. */
export async function padesForSender(
  deps: { db: Db; storage: DocumentStore },
  jobId: string,
): Promise<Buffer> {
  const content = await findArtifact(deps, jobId, 'PADES');
  if (!content) throw nothingThere('the signed document does not exist (yet, or any more)');
  // Fetched results spare the sender the reminder before the documents expire.
  await markResultsDownloaded(deps.db, jobId);
  return content;
}
