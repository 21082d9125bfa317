/** Finding a job: a sender's own job (both APIs and the sender portal) and a signer's job. */
import type { Db } from '../db/index.js';
import {
  findOwnedJobRow,
  type JobRecord,
  readOrganisationJob,
  readOwnedJob,
  readSignerJob,
} from '../db/job-reads.js';
import type { Flow } from '../job/model.js';
import { JobNotFoundError, type JobServiceDeps } from './job-service.js';

export type { JobRecord } from '../db/job-reads.js';

/**
 * The stored row of a job of `org` in `flow`: the check every sender endpoint makes first.
 * JobNotFoundError for any other job, so other organisations' jobs stay invisible.
 */
export async function findOwnedJob(db: Db, org: string, flow: Flow | 'any', jobId: string) {
  const row = await findOwnedJobRow(db, org, flow, jobId);
  if (!row) throw new JobNotFoundError(jobId);
  return row;
}

/**
 * A job of `org` in `flow` as PostgreSQL records it (the one read model, src/db/job-reads.ts);
 * JobNotFoundError for any other job. Asks no workflow: it answers with every worker stopped.
 */
export async function getSignatureJob(
  deps: Pick<JobServiceDeps, 'db'>,
  org: string,
  flow: Flow,
  jobId: string,
): Promise<JobRecord> {
  const rec = await readOwnedJob(deps.db, org, flow, jobId);
  if (!rec) throw new JobNotFoundError(jobId);
  return rec;
}

/**
 * A job of `org` whatever its flow and whichever API created it (the sender portal's view);
 * JobNotFoundError for any other job.
 */
export async function getOrganisationJob(deps: Pick<JobServiceDeps, 'db'>, org: string, jobId: string) {
  const rec = await readOrganisationJob(deps.db, org, jobId);
  if (!rec) throw new JobNotFoundError(jobId);
  return rec;
}

/** The job a signer belongs to, without an organisation check (signer-facing paths). */
export async function findSignerJob(db: Db, jobId: string, signerId: string) {
  const row = await readSignerJob(db, jobId, signerId);
  return row && { jobId: row.jobId, org: row.org, flow: row.flow, signerId: row.signerId };
}
