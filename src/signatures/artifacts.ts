/** A job's results as stored: the sealed PAdES and each signer's XAdES, by their recorded digests. */
import type { Db } from '../db/index.js';
import { isPlausibleId } from '../db/job-reads.js';
import { artifactKey, type DocumentStore } from '../storage/index.js';

/**
 * The stored bytes of a job's PAdES, or of one signer's XAdES; null until made or once deleted.
 * Bytes that no longer match the recorded digest throw DocumentCorruptError (never served).
 */
export async function findArtifact(
  deps: { db: Db; storage: DocumentStore },
  jobId: string,
  kind: 'PADES' | 'XADES',
  signerId = '',
): Promise<Buffer | null> {
  if (!isPlausibleId(signerId) && signerId !== '') return null;
  const row = await deps.db
    .selectFrom('artifacts')
    .select('sha256')
    .where('job_id', '=', jobId)
    .where('kind', '=', kind)
    .where('signer_id', '=', signerId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return deps.storage.get(artifactKey({ jobId, kind, signerId, sha256: row.sha256 }), row.sha256);
}
