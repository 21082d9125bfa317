/**
 * The activities of the signature-job workflow: every side effect it has, each a small function
 * over injected dependencies. All are idempotent, because Temporal retries them: a retried write
 * is recorded once (unique keys), a retried notice is sent once.
 */

import { ApplicationFailure } from '@temporalio/activity';
import { sql, type Updateable } from 'kysely';
import {
  archiveJobIfOrdered,
  DEFAULT_RENEWAL_INTERVAL_YEARS,
  deleteJobFiles,
  handOverToArchive,
  type RenewalPolicy,
} from '../src/archive/index.js';
import {
  loadPriceTable,
  longTermStorageUsageEvent,
  type PriceTable,
  recordUsageEvents,
  type SignatureType,
  signingUsageEvents,
  type UsageEvent,
} from '../src/billing/index.js';
import type { Db } from '../src/db/index.js';
import { storedJobRequest } from '../src/db/job-reads.js';
import type { SignatureJobsTable } from '../src/db/types.js';
import type { SignerState } from '../src/job/model.js';
import { retentionDeadline } from '../src/job/retention.js';
import type { Logger } from '../src/log.js';
import type { NotificationAdapters } from '../src/notifications/config.js';
import type { WorkerMetrics } from '../src/observability/metrics.js';
import { issueSignerLink } from '../src/portal/signer-links.js';
import { jobOutcome } from '../src/rules/outcome.js';
import type { SigningContext } from '../src/signatures/context.js';
import type { DocumentStore } from '../src/storage/index.js';
import type { JobEvent } from '../workflows/job-state.js';
import { createArchiveActivities } from './archive.js';
import { createNoticeActivities, type NoticeDeps, recordNoticeSent } from './notices.js';
import { packageSignedJob } from './packaging.js';
import { createRetentionActivities } from './retention.js';

export interface ActivityDeps {
  db: Db;
  /** The signing material; without it (life-cycle tests) packaging only records the step. */
  signing?: SigningContext;
  /** Where the bytes of documents and results are (the API's store: it writes the documents). */
  storage: DocumentStore;
  /** E-mail, SMS, contact register, digital mailbox, callback policy. */
  notifications: NotificationAdapters;
  /** The API's public base URL, for links in notices. */
  publicUrl: string;
  signerLink?: NoticeDeps['signerLink'];
  /** Prices of billable events (the domain's defaults unless configured by BILLING_PRICES). */
  prices?: PriceTable;
  /** The worker's metrics: notices sent, packaging time (optional: tests leave them out). */
  metrics?: Pick<WorkerMetrics, 'noticesSent' | 'packagingDuration'>;
  /** The worker's log: notices sent and packaging done, with job id and workflow id. */
  log?: Logger;
  /** Long-term storage: how often archive time-stamps are renewed (default every 3 years). */
  archivePolicy?: Pick<RenewalPolicy, 'intervalYears' | 'algorithmSunset'>;
}

export interface RecordEventsArgs {
  jobId: string;
  events: (JobEvent & { seq: number })[];
  /** The job's state after these events, mirrored into the jobs and signers tables. */
  status: 'IN_PROGRESS' | 'COMPLETED_SUCCESSFULLY' | 'FAILED';
  signers: SignerState[];
}

export interface SendNoticeArgs {
  jobId: string;
  signerId: string;
  noticeKey: string;
  channel: 'EMAIL' | 'SMS';
  kind: 'ACTIVATION' | 'REMINDER';
  plannedAt: string;
}

/** Events the sender is told of through the status-change queue. */
const SENDER_VISIBLE = new Set<JobEvent['type']>(['SIGNER_STATUS', 'JOB_STATUS']);

export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  const archivePolicy = deps.archivePolicy ?? { intervalYears: DEFAULT_RENEWAL_INTERVAL_YEARS };
  const prices = deps.prices ?? loadPriceTable();

  const notices = createNoticeActivities({
    db,
    storage: deps.storage,
    prices,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    notifications: deps.notifications,
    publicUrl: deps.publicUrl,
    // Signers addressed by e-mail or mobile get a unique link (its code comes apart, on request).
    signerLink:
      deps.signerLink ??
      ((jobId, signerId, codeChannel) =>
        issueSignerLink(db, { jobId, signerId, publicUrl: deps.publicUrl, codeChannel })),
  });

  return {
    ...notices,
    ...createRetentionActivities({ db, storage: deps.storage }),

    /**
     * Writes a batch of workflow events: the audit trail, the mirrored statuses, and one entry in
     * the status-change queue when the sender can see a change. Keyed by the events' sequence
     * numbers, so a retry after a crash changes nothing.
     */
    async recordEvents(args: RecordEventsArgs): Promise<{ statusChangeSeq?: number }> {
      const lastSeq = Math.max(...args.events.map((e) => e.seq));
      const senderVisible = args.events.some((e) => SENDER_VISIBLE.has(e.type));
      await db.transaction().execute(async (tx) => {
        const jobRow = await tx
          .selectFrom('signature_jobs')
          .select(['org_number', 'flow', 'polling_queue', 'reference', 'last_event_seq', 'request'])
          .where('id', '=', args.jobId)
          .forUpdate()
          .executeTakeFirst();
        if (!jobRow)
          throw ApplicationFailure.nonRetryable(`job ${args.jobId} is not in the database`, 'JobMissing');
        if (jobRow.last_event_seq >= lastSeq) return; // already recorded by an earlier attempt

        await tx
          .insertInto('audit_events')
          .values(
            args.events.map((e) => ({
              job_id: args.jobId,
              idempotency_key: `workflow:${e.seq}`,
              at: e.at,
              actor: 'system',
              event: e.type,
              details: JSON.stringify(e),
            })),
          )
          .onConflict((oc) => oc.columns(['job_id', 'idempotency_key']).doNothing())
          .execute();

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
      await recordUsageEvents(db, await usageOf(db, args), prices);
      // The queue entry's number: the workflow sends the sender's callback for it.
      return senderVisible ? { statusChangeSeq: lastSeq } : {};
    },

    /**
     * Records one notice without sending it: what workflows started before real delivery
     * (patch `notices-v1`) still call. New workflows use `sendSignerNotice`.
     */
    async sendNotice(args: SendNoticeArgs): Promise<{ alreadySent: boolean }> {
      return { alreadySent: !(await recordNoticeSent(db, args)) };
    },

    /** Builds and stores the job's results; see packaging.ts. */
    async packageJob(args: { jobId: string }): Promise<{ padesSha256: string }> {
      const packaged = await packageSignedJob(
        { db, storage: deps.storage, signing: deps.signing, metrics: deps.metrics, log: deps.log },
        args.jobId,
      );
      // Into the long-term archive when ordered (also on a retry that found the PAdES stored).
      if (deps.signing && packaged.padesSha256) {
        await archiveJobIfOrdered(
          { db, signing: deps.signing, policy: archivePolicy },
          { jobId: args.jobId, storedAt: new Date() },
        );
      }
      return packaged;
    },

    /** Deletes the documents and results of a job (retention ended, or the sender asked). */
    async deleteDocuments(args: { jobId: string }): Promise<void> {
      await deleteJobFiles({ db, storage: deps.storage }, args.jobId, new Date());
    },

    /** A completed long-term job goes to the long-term archive; its workflow ends after this. */
    async handOverToArchive(args: { jobId: string }): Promise<{ deleteAfter: string }> {
      const { deleteAfter } = await handOverToArchive(
        { db, policy: archivePolicy, signing: deps.signing, storage: deps.storage },
        args.jobId,
        new Date(),
      );
      return { deleteAfter: deleteAfter.toISOString() };
    },

    // The long-term archive's daily run (needs the signing material for new time-stamps).
    ...(deps.signing
      ? createArchiveActivities({
          db,
          storage: deps.storage,
          signing: deps.signing,
          prices,
          policy: archivePolicy,
        })
      : {}),
  };
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
        const first = await db
          .selectFrom('signers')
          .select('signing_order')
          .where('id', '=', e.signerIds[0] ?? '')
          .executeTakeFirst();
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

/**
 * The billable events among recorded workflow events: each signature (with its type's and the
 * login's add-ons) and the first year of long-term storage. Keyed, so a retry bills nothing twice.
 */
async function usageOf(db: Db, args: RecordEventsArgs): Promise<UsageEvent[]> {
  const signed = args.events.flatMap((e) => (e.type === 'SIGNER_STATUS' && e.status === 'SIGNED' ? [e] : []));
  const completed = args.events.find((e) => e.type === 'JOB_STATUS' && e.status === 'COMPLETED_SUCCESSFULLY');
  if (signed.length === 0 && !completed) return [];
  const job = await db
    .selectFrom('signature_jobs')
    .select(['org_number', 'flow', 'request'])
    .where('id', '=', args.jobId)
    .executeTakeFirstOrThrow();
  const signers = await db
    .selectFrom('signers')
    .select(['id', 'signature_type', 'signing_provider'])
    .where('job_id', '=', args.jobId)
    .execute();
  const typeOf = new Map(signers.map((s) => [s.id, s.signature_type as SignatureType]));
  const providerOf = new Map(signers.map((s) => [s.id, s.signing_provider]));
  const events = signed.flatMap((e) =>
    signingUsageEvents({
      orgNumber: job.org_number,
      jobId: args.jobId,
      signerId: e.signerId,
      signatureType: typeOf.get(e.signerId) ?? 'AUTHENTICATED_SIGNATURE',
      flow: job.flow,
      signedAt: new Date(e.at),
      ...(providerOf.get(e.signerId) ? { signingProvider: providerOf.get(e.signerId)! } : {}),
    }),
  );
  if (completed && storedJobRequest(job.request).longTermStorage) {
    events.push(
      longTermStorageUsageEvent({
        orgNumber: job.org_number,
        jobId: args.jobId,
        storageYear: 1,
        beganAt: new Date(completed.at),
      }),
    );
  }
  return events;
}
