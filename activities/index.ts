/**
 * The activities of the signature-job workflow: every side effect it has, each a small function
 * over injected dependencies. All are idempotent, because Temporal retries them: a retried write
 * is recorded once (unique keys), a retried notice is sent once.
 */

import { ApplicationFailure } from '@temporalio/activity';
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
import { jobForUsage } from '../src/db/jobs.js';
import { JobNotRecordedError, type RecordEventsArgs, recordWorkflowEvents } from '../src/db/read-model.js';
import { signerSignatureTypes } from '../src/db/signers.js';
import type { JobEvent } from '../src/job/events.js';
import type { Logger } from '../src/log.js';
import type { NotificationAdapters } from '../src/notifications/config.js';
import type { WorkerMetrics } from '../src/observability/metrics.js';
import { issueSignerLink } from '../src/portal/signer-links.js';
import type { SigningContext } from '../src/signatures/context.js';
import type { DocumentStore } from '../src/storage/index.js';
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

export type { RecordEventsArgs } from '../src/db/read-model.js';

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
      try {
        await recordWorkflowEvents(db, args, { lastSeq, senderVisible });
      } catch (err) {
        if (err instanceof JobNotRecordedError)
          throw ApplicationFailure.nonRetryable(err.message, 'JobMissing');
        throw err;
      }
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
 * The billable events among recorded workflow events: each signature (with its type's and the
 * login's add-ons) and the first year of long-term storage. Keyed, so a retry bills nothing twice.
 */
async function usageOf(db: Db, args: RecordEventsArgs): Promise<UsageEvent[]> {
  const signed = args.events.flatMap((e) => (e.type === 'SIGNER_STATUS' && e.status === 'SIGNED' ? [e] : []));
  const completed = args.events.find((e) => e.type === 'JOB_STATUS' && e.status === 'COMPLETED_SUCCESSFULLY');
  if (signed.length === 0 && !completed) return [];
  const job = await jobForUsage(db, args.jobId);
  const signers = await signerSignatureTypes(db, args.jobId);
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
