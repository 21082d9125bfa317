/**
 * The read model's writer: the workflow's events go into the audit trail, the job's and signers'
 * rows (status, activation, the active group and its deadline, retention, deletion) and, when the
 * sender can see a change, the status-change queue. Its reader is src/db/job-reads.ts. One batch
 * is one transaction, keyed by the events' sequence numbers, so a retry after a crash changes
 * nothing.
 */
import { sql, type Updateable } from 'kysely';
import type { JobEvent } from '../job/events.js';
import type { SignerState } from '../job/model.js';
import { retentionDeadline } from '../job/retention.js';
import { jobOutcome } from '../rules/outcome.js';
import { recordAuditEvents, workflowAuditEntry } from './audit.js';
import type { Db } from './index.js';
import { storedJobRequest } from './job-reads.js';
import { signingOrderOf } from './signers.js';
import type { SignatureJobsTable } from './types.js';

export interface RecordEventsArgs {
  jobId: string;
  events: (JobEvent & { seq: number })[];
  /** The job's state after these events, mirrored into the jobs and signers tables. */
  status: 'IN_PROGRESS' | 'COMPLETED_SUCCESSFULLY' | 'FAILED';
  signers: SignerState[];
}

/** The job of recorded events is not in the database (retrying cannot help). */
export class JobNotRecordedError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} is not in the database`);
  }
}

/**
 * Records one batch of workflow events (`lastSeq`: its highest sequence number; `senderVisible`:
 * whether the status-change queue gets an entry for it). A batch already recorded changes nothing.
 */
export async function recordWorkflowEvents(
  db: Db,
  args: RecordEventsArgs,
  { lastSeq, senderVisible }: { lastSeq: number; senderVisible: boolean },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const jobRow = await tx
      .selectFrom('signature_jobs')
      .select(['org_number', 'flow', 'polling_queue', 'reference', 'last_event_seq', 'request'])
      .where('id', '=', args.jobId)
      .forUpdate()
      .executeTakeFirst();
    if (!jobRow) throw new JobNotRecordedError(args.jobId);
    if (jobRow.last_event_seq >= lastSeq) return; // already recorded by an earlier attempt

    await recordAuditEvents(tx, args.jobId, args.events.map(workflowAuditEntry));

    for (const s of args.signers) {
      await tx
        .updateTable('signers')
        .set({
          status: s.status,
          status_since: s.since,
          ...(s.rejectionReason !== undefined ? { rejection_reason: s.rejectionReason } : {}),
        })
        .where('id', '=', s.id)
        .where('job_id', '=', args.jobId)
        .execute();
    }
    await tx
      .updateTable('signature_jobs')
      .set({
        ...(await readModelOf(tx, args.events, storedJobRequest(jobRow.request).longTermStorage)),
        status: args.status,
        outcome: jobOutcome(args),
        updated_at: sql<Date>`now()`,
        last_event_seq: lastSeq,
        // The first recording marks the job's workflow started: the create does not spend a write
        // on it (src/services/create-job.ts), and the stranded-job sweep skips marked jobs.
        workflow_started_at: sql<Date>`coalesce(workflow_started_at, now())`,
      })
      .where('id', '=', args.jobId)
      .execute();

    if (senderVisible) {
      await tx
        .insertInto('status_changes')
        .values({
          job_id: args.jobId,
          org_number: jobRow.org_number,
          flow: jobRow.flow,
          polling_queue: jobRow.polling_queue ?? '',
          seq: lastSeq,
          job_status: args.status,
          payload: JSON.stringify({
            jobId: args.jobId,
            reference: jobRow.reference,
            status: args.status,
            outcome: jobOutcome(args),
            signers: args.signers.map((s) => ({
              id: s.id,
              status: s.status,
              since: s.since,
              ...(s.rejectionReason ? { rejectionReason: s.rejectionReason } : {}),
            })),
          }),
        })
        .onConflict((oc) => oc.columns(['job_id', 'seq']).doNothing())
        .execute();
    }
  });
}

/**
 * What a batch of workflow events changes in the job's row of the read model (src/db/job-reads.ts):
 * activation, the active group and its deadline, the status's time and reason, retention, deletion.
 * Later events of the batch override earlier ones, as they did in the workflow.
 */
async function readModelOf(
  db: Pick<Db, 'selectFrom'>,
  events: JobEvent[],
  longTermStorage: boolean,
): Promise<Updateable<SignatureJobsTable>> {
  const set: Updateable<SignatureJobsTable> = {};
  for (const e of events) {
    switch (e.type) {
      case 'JOB_CREATED':
        set.status_since = e.at;
        break;
      case 'JOB_ACTIVATED':
        set.activated_at = e.at;
        break;
      case 'GROUP_ACTIVATED': {
        const first = await signingOrderOf(db, e.signerIds[0] ?? '');
        set.active_group = e.group;
        set.active_signing_order = first?.signing_order ?? null;
        set.deadline = e.deadline;
        set.group_activated_at = e.at;
        break;
      }
      case 'DEADLINE_EXTENDED':
        set.deadline = e.deadline;
        break;
      case 'JOB_STATUS':
        set.status_since = e.at;
        set.failure_reason = e.reason ?? null;
        set.active_group = null;
        set.active_signing_order = null;
        set.deadline = null;
        set.group_activated_at = null;
        set.retention_until =
          retentionDeadline(new Date(e.at), { status: e.status, longTermStorage })?.toISOString() ?? null;
        break;
      case 'DOCUMENTS_DELETED':
        set.documents_deleted_at = e.at;
        break;
    }
  }
  return set;
}
