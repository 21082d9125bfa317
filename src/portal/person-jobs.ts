/**
 * The signing portal's list: the portal jobs a person is a signer of (by identity number, or by a
 * link this browser opened with its code), split into those waiting for them now (their group is
 * active), those they have signed that have not ended yet, and completed ones whose signed
 * document can be fetched. Read from PostgreSQL only (src/db/job-reads.ts): no worker is asked.
 */
import { listPersonSignerJobs, readJobProgressStates, type SignerJobRow } from '../db/job-reads.js';
import type { JobStatus, SignerStatus } from '../job/model.js';
import type { JobServiceDeps } from '../services/job-service.js';
import { copyDelivery, type SignerProgress, signerProgress } from './progress.js';
import type { SessionGrant } from './sessions.js';

export interface PersonJob {
  jobId: string;
  signerId: string;
  title: string;
  nonsensitiveTitle: string | null;
  requiredAuthentication: 3 | 4;
  senderName: string;
  createdAt: Date;
  /** The active group's deadline, for jobs waiting for the person. */
  deadline: string | null;
  /** When the person signed; null until then. */
  signedAt: Date | null;
  /** While the job runs after the person signed: the deadline of the group signing now. */
  jobDeadline: Date | null;
  /** When a completed job was completed; null while it runs. */
  completedAt: Date | null;
  hasPades: boolean;
  jobStatus: JobStatus;
  signerStatus: SignerStatus;
  /** Where the person stands: set for jobs they signed that have not ended yet. */
  progress?: SignerProgress;
}

/** How many jobs the list looks at, newest first. */
const LIST_LIMIT = 50;

export interface PersonJobLists {
  /** The person's group may sign now and they have not acted. */
  waiting: PersonJob[];
  /** Signed by the person, the job still running (other signers, packaging). */
  signed: PersonJob[];
  /** Completed, with the signed document to fetch. */
  completed: PersonJob[];
}

export async function listPersonJobs(
  deps: Pick<JobServiceDeps, 'db'>,
  person: { pid: string | null; grants: SessionGrant[] },
): Promise<PersonJobLists> {
  const signerIds = person.grants.filter((g) => g.via === 'LINK').map((g) => g.signerId);
  const rows = await listPersonSignerJobs(deps.db, { pid: person.pid, signerIds }, LIST_LIMIT);
  const lists: PersonJobLists = { waiting: [], signed: [], completed: [] };
  const signed: { row: SignerJobRow; job: PersonJob }[] = [];
  for (const row of rows) {
    const job = personJob(row);
    if (row.jobStatus === 'COMPLETED_SUCCESSFULLY') {
      if (job.hasPades) lists.completed.push(job);
    } else if (row.jobStatus === 'IN_PROGRESS' && row.signer.status === 'SIGNED') {
      signed.push({ row, job });
    } else if (row.jobStatus === 'IN_PROGRESS' && row.signer.status === 'WAITING' && row.signer.groupActive) {
      lists.waiting.push(job);
    }
  }
  // Signed by the person, the job still running: kept in the list with where it stands.
  const states = await readJobProgressStates(
    deps.db,
    signed.map((s) => s.row.jobId),
  );
  for (const { row, job } of signed) {
    job.progress = signerProgress({
      state: states.get(row.jobId) ?? null,
      signerId: row.signerId,
      jobStatus: row.jobStatus,
      signerStatus: row.signer.status,
      hasPades: row.hasPades,
      delivery: copyDelivery('portal', { onBehalfOf: row.signer.onBehalfOf, pid: row.signer.pid }),
    });
    lists.signed.push(job);
  }
  return lists;
}

function personJob(row: SignerJobRow): PersonJob {
  return {
    jobId: row.jobId,
    signerId: row.signerId,
    title: row.title,
    nonsensitiveTitle: row.request.nonsensitiveTitle ?? null,
    requiredAuthentication: row.request.requiredAuthentication ?? 4,
    senderName: row.senderName,
    createdAt: row.createdAt,
    deadline: row.deadline?.toISOString() ?? null,
    signedAt: row.signer.signedAt,
    jobDeadline: row.jobDeadline,
    completedAt: row.jobStatus === 'COMPLETED_SUCCESSFULLY' ? row.statusSince : null,
    hasPades: row.hasPades,
    jobStatus: row.jobStatus,
    signerStatus: row.signer.status,
  };
}
