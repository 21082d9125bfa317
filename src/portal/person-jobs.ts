/**
 * The signing portal's list: the portal jobs a person is a signer of (by identity number, or by a
 * link this browser opened with its code), split into those waiting for them now (their group is
 * active, asked of each job's workflow) and finished ones whose signed document can be fetched.
 */
import { type JobServiceDeps, queryState } from '../services/signature-jobs.js';
import { isActiveSigner } from './ceremony.js';
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
  hasPades: boolean;
  /** Where the person stands (issue 16): set for jobs they signed that have not ended yet. */
  progress?: SignerProgress;
}

/** How many jobs the list looks at, newest first. */
const LIST_LIMIT = 50;

export async function listPersonJobs(
  deps: JobServiceDeps,
  person: { pid: string | null; grants: SessionGrant[] },
): Promise<{ waiting: PersonJob[]; signed: PersonJob[]; completed: PersonJob[] }> {
  const grantedSigners = person.grants.filter((g) => g.via === 'LINK').map((g) => g.signerId);
  if (!person.pid && grantedSigners.length === 0) return { waiting: [], signed: [], completed: [] };
  const rows = await deps.db
    .selectFrom('signers')
    .innerJoin('signature_jobs', 'signature_jobs.id', 'signers.job_id')
    .innerJoin('organisations', 'organisations.org_number', 'signature_jobs.org_number')
    .leftJoin('artifacts', (join) =>
      join
        .onRef('artifacts.job_id', '=', 'signature_jobs.id')
        .on('artifacts.kind', '=', 'PADES')
        .on('artifacts.deleted_at', 'is', null),
    )
    .select([
      'signature_jobs.id as jobId',
      'signers.id as signerId',
      'signature_jobs.title',
      'signature_jobs.request',
      'signature_jobs.status as jobStatus',
      'signature_jobs.created_at as createdAt',
      'organisations.name as senderName',
      'signers.status as signerStatus',
      'signers.on_behalf_of as onBehalfOf',
      'signers.personal_identification_number as pid',
      'artifacts.id as padesId',
    ])
    .where('signature_jobs.flow', '=', 'portal')
    .where((eb) =>
      eb.or([
        ...(person.pid ? [eb('signers.personal_identification_number', '=', person.pid)] : []),
        ...(grantedSigners.length > 0 ? [eb('signers.id', 'in', grantedSigners)] : []),
      ]),
    )
    .orderBy('signature_jobs.created_at', 'desc')
    .limit(LIST_LIMIT)
    .execute();

  const waiting: PersonJob[] = [];
  const signed: PersonJob[] = [];
  const completed: PersonJob[] = [];
  await Promise.all(
    rows.map(async (row) => {
      const request = (typeof row.request === 'string' ? JSON.parse(row.request) : row.request) as {
        nonsensitiveTitle?: string;
        requiredAuthentication?: 3 | 4;
      };
      const job: PersonJob = {
        jobId: row.jobId,
        signerId: row.signerId,
        title: row.title,
        nonsensitiveTitle: request.nonsensitiveTitle ?? null,
        requiredAuthentication: request.requiredAuthentication ?? 4,
        senderName: row.senderName,
        createdAt: row.createdAt,
        deadline: null,
        hasPades: row.padesId !== null,
      };
      if (row.jobStatus === 'COMPLETED_SUCCESSFULLY' && job.hasPades) {
        completed.push(job);
        return;
      }
      // Signed by the person, the job not ended (or its document still being sealed): kept in
      // the list with its progress until the download is there (issue 16).
      if (row.signerStatus === 'SIGNED' && row.jobStatus !== 'FAILED') {
        job.progress = signerProgress({
          state: row.jobStatus === 'IN_PROGRESS' ? await queryState(deps, row.jobId) : null,
          signerId: row.signerId,
          jobStatus: row.jobStatus,
          signerStatus: 'SIGNED',
          hasPades: job.hasPades,
          delivery: copyDelivery('portal', { onBehalfOf: row.onBehalfOf, pid: row.pid }),
        });
        signed.push(job);
        return;
      }
      if (row.jobStatus !== 'IN_PROGRESS' || row.signerStatus !== 'WAITING') return;
      const state = await queryState(deps, row.jobId);
      if (!state || !isActiveSigner(state, row.signerId)) return;
      const signer = state.signers.find((s) => s.id === row.signerId);
      if (signer?.status !== 'WAITING') return;
      job.deadline = state.groups[state.activeGroup!]?.deadline ?? null;
      waiting.push(job);
    }),
  );
  const newestFirst = (a: PersonJob, b: PersonJob) => b.createdAt.getTime() - a.createdAt.getTime();
  return {
    waiting: waiting.sort(newestFirst),
    signed: signed.sort(newestFirst),
    completed: completed.sort(newestFirst),
  };
}
