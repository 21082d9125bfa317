/**
 * Writes of a new signature job: the job row, its signers and its documents in one SQL statement
 * (data-modifying WITH clauses). One statement is atomic on its own, so it needs no BEGIN and
 * COMMIT: a create pays one round trip to PostgreSQL for the three inserts instead of five, which
 * is much of what an API create costs beyond its workflow start (bench/api/create-jobs.ts).
 */
import type { Insertable } from 'kysely';
import type { Db } from './index.js';
import type { NewDocument, NewSigner, SignatureJobsTable } from './types.js';

export async function insertJobWithRows(
  db: Db,
  rows: { job: Insertable<SignatureJobsTable>; signers: NewSigner[]; documents: NewDocument[] },
): Promise<void> {
  if (rows.signers.length === 0 || rows.documents.length === 0) {
    throw new Error('a job is stored with at least one signer and one document');
  }
  // The foreign keys of signers and documents are checked at the end of the statement, when the
  // job row inserted beside them exists.
  await db
    .with('job', (q) => q.insertInto('signature_jobs').values(rows.job).returning('id'))
    .with('job_signers', (q) => q.insertInto('signers').values(rows.signers).returning('id'))
    .insertInto('documents')
    .values(rows.documents)
    .execute();
}
