/**
 * The job table (`signature_jobs`) and its signers and documents as creation stores them, with
 * the job-table reads and writes of the services, activities and archive. The read model's
 * columns are written by src/db/read-model.ts; the reads of a whole job are in src/db/job-reads.ts.
 */
import { type Insertable, sql } from 'kysely';
import type { Db } from './index.js';
import type { BlobsTable, DocumentsTable, SignatureJobsTable, SignersTable } from './types.js';

/**
 * Stores a new job with its signers and documents (and their bytes, with the PostgreSQL document
 * store), all or nothing, in one SQL statement (data-modifying WITH clauses): one statement is
 * atomic on its own, so a create pays one round trip to PostgreSQL for the inserts instead of one
 * per table with BEGIN and COMMIT, which is much of what an API create costs beyond its workflow
 * start (bench/api/create-jobs.ts).
 */
export async function storeNewJob(
  db: Db,
  rows: {
    job: Insertable<SignatureJobsTable>;
    signers: Insertable<SignersTable>[];
    documents: Insertable<DocumentsTable>[];
    /** The documents' bytes when the document store is this database (src/storage/postgres.ts). */
    blobs?: Insertable<BlobsTable>[];
  },
): Promise<void> {
  if (rows.signers.length === 0 || rows.documents.length === 0) {
    throw new Error('a job is stored with at least one signer and one document');
  }
  // One statement, so one round trip and one commit. The foreign keys of signers and documents
  // are checked at the end of the statement, when the job row inserted beside them exists.
  const withJob = db
    .with('job', (q) => q.insertInto('signature_jobs').values(rows.job).returning('id'))
    .with('job_signers', (q) => q.insertInto('signers').values(rows.signers).returning('id'));
  const blobs = rows.blobs ?? [];
  if (blobs.length === 0) {
    await withJob.insertInto('documents').values(rows.documents).execute();
    return;
  }
  await withJob
    .with('job_blobs', (q) => q.insertInto('blobs').values(blobs).returning('key'))
    .insertInto('documents')
    .values(rows.documents)
    .execute();
}

/** Removes a job whose workflow could not be started (its signers and documents go with it). */
export async function deleteUnstartedJob(db: Db, jobId: string): Promise<void> {
  await db.deleteFrom('signature_jobs').where('id', '=', jobId).execute();
}

/** The job of `org` created with this Idempotency-Key, if any. */
export async function findByIdempotencyKey(db: Db, org: string, key: string) {
  return db
    .selectFrom('signature_jobs')
    .select(['id', 'request_hash', 'workflow_started_at'])
    .where('org_number', '=', org)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/** Marks the job's workflow started (the first time only). */
export async function markWorkflowStarted(db: Db, jobId: string): Promise<void> {
  await db
    .updateTable('signature_jobs')
    .set({ workflow_started_at: new Date() })
    .where('id', '=', jobId)
    .where('workflow_started_at', 'is', null)
    .execute();
}

/** What starting a stored job's workflow needs of its row; throws when there is no such job. */
export async function storedJobToStart(db: Db, jobId: string) {
  return db
    .selectFrom('signature_jobs')
    .select(['id', 'org_number', 'flow', 'request'])
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
}

/** Jobs stored more than `olderThanSeconds` ago whose workflow was never started, oldest first. */
export async function strandedJobIds(db: Db, olderThanSeconds: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('signature_jobs')
    .select('id')
    .where('workflow_started_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The first download of the signed results (spares the sender the reminder before they expire). */
export async function markResultsDownloaded(db: Db, jobId: string): Promise<void> {
  await db
    .updateTable('signature_jobs')
    .set({ results_downloaded_at: new Date() })
    .where('id', '=', jobId)
    .where('results_downloaded_at', 'is', null)
    .execute();
}

/** The owner and stored request of a job; throws when there is no such job. */
export async function jobOwnerAndRequest(db: Db, jobId: string) {
  return db
    .selectFrom('signature_jobs')
    .select(['org_number', 'request'])
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
}

/** A direct job's stored request and creation time; throws for any other job. */
export async function directJobRequest(db: Db, jobId: string) {
  return db
    .selectFrom('signature_jobs')
    .select(['request', 'created_at'])
    .where('id', '=', jobId)
    .where('flow', '=', 'direct')
    .executeTakeFirstOrThrow();
}

/** The job's title; throws when there is no such job. */
export async function jobTitle(db: Db, jobId: string) {
  return db.selectFrom('signature_jobs').select('title').where('id', '=', jobId).executeTakeFirstOrThrow();
}

/** What a notice to the sender says of the job, and where the sender wants its notices. */
export async function senderNoticeJob(db: Db, jobId: string) {
  return db
    .selectFrom('signature_jobs')
    .innerJoin('organisations', 'organisations.org_number', 'signature_jobs.org_number')
    .select([
      'signature_jobs.title',
      'signature_jobs.reference',
      'signature_jobs.flow',
      'signature_jobs.results_downloaded_at',
      'organisations.notice_email',
      'organisations.notice_locale',
    ])
    .where('signature_jobs.id', '=', jobId)
    .executeTakeFirstOrThrow();
}

/** The job and its sender as the signed PAdES names them. */
export async function jobForPackaging(db: Db, jobId: string) {
  return db
    .selectFrom('signature_jobs')
    .innerJoin('organisations', 'organisations.org_number', 'signature_jobs.org_number')
    .select([
      'signature_jobs.title',
      'signature_jobs.reference',
      'signature_jobs.request',
      'organisations.name',
      'organisations.org_number',
    ])
    .where('signature_jobs.id', '=', jobId)
    .executeTakeFirstOrThrow();
}

/** The owner, flow and stored request of a job, for billing its events; throws when there is none. */
export async function jobForUsage(db: Db, jobId: string) {
  return db
    .selectFrom('signature_jobs')
    .select(['org_number', 'flow', 'request'])
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
}
