/**
 * Notices to signers and senders, contact look-ups, mailbox forwarding and sender callbacks: the
 * activities through which a portal job reaches people. Each is idempotent: a `notices` row
 * proves a notice went out and is written only after the send succeeded; a retry after a crash
 * in between sends again with the same idempotency key (and so the same e-mail Message-ID).
 */

import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { noticeUsageEvent, type PriceTable, recordUsageEvents } from '../src/billing/index.js';
import { NOTICE_CHANNELS_EVENT, recordAuditEvents } from '../src/db/audit.js';
import type { Db } from '../src/db/index.js';
import { storedJobRequest } from '../src/db/job-reads.js';
import { jobTitle, senderNoticeJob } from '../src/db/jobs.js';
import { noticeSigners, selfSignersWithIdentity, signerStatuses } from '../src/db/signers.js';
import type { JobStatus } from '../src/job/model.js';
import type { Logger } from '../src/log.js';
import { deliverStatusChange, NoCallbackUrlError } from '../src/notifications/callbacks/status-change.js';
import type { NotificationAdapters } from '../src/notifications/config.js';
import type { ContactRegisterEntry } from '../src/notifications/contact-register.js';
import { type NoticeLocale, noticeLocaleOfLanguage } from '../src/notifications/locale.js';
import { forwardToMailbox } from '../src/notifications/mailbox-forwarding.js';
import { sendEmail } from '../src/notifications/mailer.js';
import { renderSenderNotice, type SenderNotice } from '../src/notifications/templates/sender.js';
import { renderSignerNotice, type SignerNotice } from '../src/notifications/templates/signer.js';
import { titleForNotice } from '../src/notifications/title.js';
import { activityJobLogger } from '../src/observability/logging.js';
import type { WorkerMetrics } from '../src/observability/metrics.js';
import { ceremonyPath } from '../src/portal/ceremony-paths.js';
import { type CodeChannel, codeChannelFor } from '../src/portal/code-rules.js';
import { findArtifact } from '../src/signatures/artifacts.js';
import type { DocumentStore } from '../src/storage/index.js';

export interface NoticeDeps {
  db: Db;
  /** The signed PAdES forwarded to digital mailboxes is read from here. */
  storage: DocumentStore;
  notifications: NotificationAdapters;
  publicUrl: string;
  /** Prices of billable events: each notice sent is metered (SMS priced, e-mail free). */
  prices: PriceTable;
  /**
   * Links for signers addressed by e-mail/mobile: their unique link, whose one-time code goes over
   * `codeChannel` when the signer asks for it (NONE: there is no other channel, so no code).
   */
  signerLink?: (
    jobId: string,
    signerId: string,
    codeChannel: CodeChannel | 'NONE',
  ) => Promise<{ url: string }>;
  /** Counts each notice sent by channel and kind (the worker's; tests may leave it out). */
  metrics?: Pick<WorkerMetrics, 'noticesSent'>;
  /** Logs each notice sent, with the job id and workflow id and never the address. */
  log?: Logger;
}

/** What a contact look-up says of a signer. */
export type ContactOutcome = 'OK' | 'RESERVED' | 'CONTACT_INFORMATION_MISSING';

export interface ResolvedContact {
  outcome: ContactOutcome;
  email?: string;
  mobile?: string;
  /** Contact details from the contact and reservation register (the title rule depends on it). */
  fromRegister: boolean;
}

export type SignerNoticeKind = 'ACTIVATION' | 'REMINDER' | 'CANCELLATION';

export interface NoticeArgs {
  jobId: string;
  signerId: string;
  noticeKey: string;
  channel: 'EMAIL' | 'SMS';
  kind: SignerNoticeKind | 'MAILBOX_DELIVERED' | 'MAILBOX_OFFER';
  plannedAt: string;
  /** The group's deadline (ACTIVATION and REMINDER). */
  deadline?: string;
  /** MAILBOX_OFFER: until when a newly created mailbox still receives the copy. */
  offeredUntil?: string;
}

export type NoticeOutcome = 'SENT' | 'ALREADY_SENT' | 'NO_ADDRESS' | Exclude<ContactOutcome, 'OK'>;

/** A public sender's SELF signer with an identity number is reached through the register. */
function usesRegister(
  sector: string,
  signer: { on_behalf_of: string; personal_identification_number: string | null },
) {
  return (
    sector === 'PUBLIC' && signer.on_behalf_of === 'SELF' && signer.personal_identification_number !== null
  );
}

function outcomeOfEntry(entry: ContactRegisterEntry | undefined): ResolvedContact {
  switch (entry?.status) {
    case 'ACTIVE':
      return {
        outcome: entry.email || entry.mobile ? 'OK' : 'CONTACT_INFORMATION_MISSING',
        ...(entry.email ? { email: entry.email } : {}),
        ...(entry.mobile ? { mobile: entry.mobile } : {}),
        fromRegister: true,
      };
    case 'RESERVED':
      return { outcome: 'RESERVED', fromRegister: true };
    default:
      return { outcome: 'CONTACT_INFORMATION_MISSING', fromRegister: true };
  }
}

type SignerRow = Awaited<ReturnType<typeof noticeSigners>>[number];

/**
 * The proof a notice went out: one row per job, signer (or '' for the sender) and notice key.
 * Returns false when the row was already there (an earlier attempt recorded it).
 */
export async function recordNoticeSent(
  db: Db,
  notice: Pick<NoticeArgs, 'jobId' | 'signerId' | 'noticeKey' | 'channel' | 'plannedAt'> & { kind: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('notices')
    .values({
      job_id: notice.jobId,
      signer_id: notice.signerId,
      notice_key: notice.noticeKey,
      channel: notice.channel,
      kind: notice.kind,
      planned_at: notice.plannedAt,
      sent_at: new Date(),
    })
    .onConflict((oc) => oc.columns(['job_id', 'signer_id', 'notice_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The channels a signer's notices go by, in the audit trail (read back by the job's next step). */
export async function recordNoticeChannels(
  db: Db,
  jobId: string,
  signers: { signerId: string; outcome: string; channels: { email: boolean; sms: boolean } }[],
): Promise<void> {
  const reachable = signers.filter((s) => s.outcome === 'OK');
  if (reachable.length === 0) return;
  await recordAuditEvents(
    db,
    jobId,
    reachable.map((s) => ({
      idempotencyKey: `notice-channels:${s.signerId}`,
      at: new Date(),
      actor: 'system',
      event: NOTICE_CHANNELS_EVENT,
      details: { signerId: s.signerId, ...s.channels },
    })),
  );
}

export function createNoticeActivities(deps: NoticeDeps) {
  const { db, notifications } = deps;

  /**
   * A notice was handed to the mail server or SMS gateway: counted and logged there, before it
   * is recorded, so a send whose recording fails (and is retried) still counts as sent.
   */
  function noticeSent(
    n: Pick<NoticeArgs, 'jobId' | 'signerId' | 'noticeKey' | 'channel'> & { kind: string },
  ) {
    deps.metrics?.noticesSent.inc({ channel: n.channel, kind: n.kind });
    if (!deps.log) return;
    // Named fields only, the signer by id: never an address or identity number in the log.
    const recipient = n.signerId ? { signerId: n.signerId } : { recipient: 'sender' };
    activityJobLogger(deps.log, n.jobId, {
      ...recipient,
      noticeKey: n.noticeKey,
      channel: n.channel,
      kind: n.kind,
    }).info('notice sent');
  }

  async function resolve(rows: SignerRow[]): Promise<Map<string, ResolvedContact>> {
    const viaRegister = rows.filter((r) => usesRegister(r.sector, r));
    const entries = await notifications.contactRegister.lookup(
      viaRegister.map((r) => r.personal_identification_number!),
    );
    return new Map(
      rows.map((r): [string, ResolvedContact] => {
        if (usesRegister(r.sector, r))
          return [r.id, outcomeOfEntry(entries.get(r.personal_identification_number!))];
        const given = {
          ...(r.email ? { email: r.email } : {}),
          ...(r.mobile ? { mobile: r.mobile } : {}),
          fromRegister: false,
        };
        return [r.id, { outcome: r.email || r.mobile ? 'OK' : 'CONTACT_INFORMATION_MISSING', ...given }];
      }),
    );
  }

  async function alreadySent(args: Pick<NoticeArgs, 'jobId' | 'signerId' | 'noticeKey'>): Promise<boolean> {
    const row = await db
      .selectFrom('notices')
      .select('id')
      .where('job_id', '=', args.jobId)
      .where('signer_id', '=', args.signerId)
      .where('notice_key', '=', args.noticeKey)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * How the notice lets the signer in. Signers addressed by identity number get the job's own
   * signing page, whose login asks at once for the level the job needs;
   * others get a unique link, and its one-time code travels apart: over the other channel, sent
   * when the signer opens the link and asks (never in the notice, so a forwarded notice is not
   * enough), or not at all when the sender gave one channel only (codeChannelFor). A new link
   * revokes the older ones, so a signer with both channels gets the link in the e-mail only (the
   * SMS points to the e-mail) and the code by SMS.
   */
  async function accessOf(row: SignerRow, jobId: string, channel: 'EMAIL' | 'SMS') {
    if (row.personal_identification_number)
      return { link: `${deps.publicUrl}${ceremonyPath(jobId, row.id)}` };
    if (!deps.signerLink || (channel === 'SMS' && row.email)) return { link: `${deps.publicUrl}/portal` };
    const codeBy = codeChannelFor(channel, row);
    const { url } = await deps.signerLink(jobId, row.id, codeBy);
    return { link: url, codeBy };
  }

  /**
   * Looks up the contact details of a group's signers as the group is activated: from the
   * register for a public sender's SELF signers, else as the sender gave them.
   */
  async function prepareSigners(args: { jobId: string; signerIds: string[] }) {
    const rows = await noticeSigners(db, args.jobId, args.signerIds);
    const contacts = await resolve(rows);
    const prepared = rows.map((r) => {
      const c = contacts.get(r.id)!;
      return {
        signerId: r.id,
        outcome: c.outcome,
        channels: { email: Boolean(c.email), sms: Boolean(c.mobile) },
      };
    });
    // Which channels each signer's notices go by (never the addresses): what lets the screens
    // say why a notice waits (an SMS-only signer during the quiet hours). The first answer per
    // signer counts, as the workflow plans with it.
    await recordNoticeChannels(db, args.jobId, prepared);
    return prepared;
  }

  /** One notice to one signer; the register is asked again so a reservation since is honoured. */
  async function sendSignerNotice(args: NoticeArgs): Promise<{ outcome: NoticeOutcome }> {
    if (await alreadySent(args)) return { outcome: 'ALREADY_SENT' };
    const [row] = await noticeSigners(db, args.jobId, [args.signerId]);
    if (!row)
      throw ApplicationFailure.nonRetryable(`no signer ${args.signerId} in job ${args.jobId}`, 'JobMissing');
    const contact = (await resolve([row])).get(row.id)!;
    if (contact.outcome !== 'OK') return { outcome: contact.outcome };
    const request = storedJobRequest(row.request);
    const title = titleForNotice({
      title: row.title,
      nonsensitiveTitle: request.nonsensitiveTitle ?? null,
      requiredAuthentication: request.requiredAuthentication ?? 4,
      contactFromRegister: contact.fromRegister,
    });
    // Read at send time, not fixed at activation: a language the signer chose on the signing page
    // since then applies to the reminders, the cancellation and the mailbox notices that follow.
    const base = { senderName: row.sender_name, title, locale: noticeLocaleOfLanguage(row.language) };
    const notice: SignerNotice =
      args.kind === 'ACTIVATION' || args.kind === 'REMINDER'
        ? {
            ...base,
            kind: args.kind,
            deadline: new Date(args.deadline!),
            ...(await accessOf(row, args.jobId, args.channel)),
          }
        : args.kind === 'MAILBOX_OFFER'
          ? {
              ...base,
              kind: 'MAILBOX_OFFER',
              offeredUntil: new Date(args.offeredUntil!),
              link: `${deps.publicUrl}/portal`,
            }
          : args.kind === 'MAILBOX_DELIVERED'
            ? { ...base, kind: 'MAILBOX_DELIVERED', link: `${deps.publicUrl}/portal` }
            : { ...base, kind: 'CANCELLATION' };
    const rendered = renderSignerNotice(notice);
    const idempotencyKey = `notice:${args.jobId}:${args.signerId}:${args.noticeKey}`;
    if (args.channel === 'EMAIL') {
      if (!contact.email || !notifications.mailer) return { outcome: 'NO_ADDRESS' };
      await sendEmail(notifications.mailer, { to: contact.email, ...rendered }, { idempotencyKey });
    } else {
      if (!contact.mobile) return { outcome: 'NO_ADDRESS' };
      await notifications.sms.send({ to: contact.mobile, text: rendered.sms, idempotencyKey });
    }
    noticeSent(args);
    await recordNoticeSent(db, args);
    const sent = {
      orgNumber: row.org_number,
      jobId: args.jobId,
      signerId: args.signerId,
      sentAt: new Date(),
    };
    await recordUsageEvents(
      db,
      [noticeUsageEvent({ ...sent, channel: args.channel, noticeKey: args.noticeKey })],
      deps.prices,
    );
    return { outcome: 'SENT' };
  }

  /**
   * Every signer has signed: the signed copy goes to each SELF signer's digital mailbox; one
   * without a mailbox is told they can create one within 7 days. Returns whether any offer is
   * still open (the workflow asks again until it closes).
   */
  async function forwardSignedCopies(args: {
    jobId: string;
    /** The workflow's time: the 7-day offer runs on the same clock as the workflow's timers. */
    now: string;
  }): Promise<{ openOffersUntil?: string }> {
    const rows = await selfSignersWithIdentity(db, args.jobId);
    const job = await jobTitle(db, args.jobId);
    const loadPdf = async () => {
      const pdf = await findArtifact(deps, args.jobId, 'PADES');
      if (!pdf) throw new Error(`the signed PAdES of job ${args.jobId} is not stored`);
      return pdf;
    };
    let openUntil: Date | undefined;
    for (const r of rows) {
      const result = await forwardToMailbox(
        { db, mailbox: notifications.mailbox },
        {
          jobId: args.jobId,
          signerId: r.id,
          pid: r.personal_identification_number!,
          fileName: `${job.title}.pdf`,
          loadPdf,
          now: new Date(args.now),
        },
      );
      const notice = {
        jobId: args.jobId,
        signerId: r.id,
        channel: 'EMAIL' as const,
        plannedAt: new Date().toISOString(),
      };
      if (result.status === 'DELIVERED') {
        await sendSignerNotice({ ...notice, noticeKey: 'MAILBOX_DELIVERED', kind: 'MAILBOX_DELIVERED' });
      } else if (result.status === 'PENDING') {
        await sendSignerNotice({
          ...notice,
          noticeKey: 'MAILBOX_OFFER',
          kind: 'MAILBOX_OFFER',
          offeredUntil: result.offeredUntil.toISOString(),
        });
        if (!openUntil || result.offeredUntil > openUntil) openUntil = result.offeredUntil;
      }
    }
    return openUntil ? { openOffersUntil: openUntil.toISOString() } : {};
  }

  /** POSTs a recorded status change to the sender's callback URL, signed; Temporal retries it. */
  async function deliverStatusCallback(args: { jobId: string; seq: number }): Promise<void> {
    try {
      await deliverStatusChange(
        db,
        { jobId: args.jobId, seq: args.seq, attempt: activityInfo().attempt },
        notifications.allowPrivateCallbackTargets,
      );
    } catch (err) {
      if (!(err instanceof NoCallbackUrlError)) throw err;
    }
  }

  /** A notice to the sender organisation by e-mail, when it asked for them. */
  async function sendSenderNotice(args: {
    jobId: string;
    noticeKey: string;
    kind: SenderNotice['kind'];
    status?: JobStatus;
    at?: string;
  }): Promise<{ outcome: 'SENT' | 'ALREADY_SENT' | 'NOT_WANTED' }> {
    const job = await senderNoticeJob(db, args.jobId);
    if (!job.notice_email || !notifications.mailer) return { outcome: 'NOT_WANTED' };
    // Documents expiring: only a reminder for results nobody has fetched.
    if (args.kind === 'DOCUMENTS_EXPIRE_SOON' && job.results_downloaded_at) return { outcome: 'NOT_WANTED' };
    const noticeArgs = {
      jobId: args.jobId,
      signerId: '',
      noticeKey: `sender:${args.noticeKey}`,
      channel: 'EMAIL' as const,
      kind: args.kind,
      plannedAt: args.at ?? new Date().toISOString(),
    };
    if (await alreadySent(noticeArgs)) return { outcome: 'ALREADY_SENT' };
    const signers = await signerStatuses(db, args.jobId);
    const base = {
      locale: job.notice_locale as NoticeLocale,
      title: job.title,
      reference: job.reference,
      link: `${deps.publicUrl}/sender/jobs/${args.jobId}`,
      signed: signers.filter((s) => s.status === 'SIGNED').length,
      signers: signers.length,
    };
    const at = new Date(args.at ?? Date.now());
    const notice: SenderNotice =
      args.kind === 'STATUS_CHANGED'
        ? { ...base, kind: 'STATUS_CHANGED', status: args.status ?? 'IN_PROGRESS' }
        : args.kind === 'DEADLINE_SOON'
          ? { ...base, kind: 'DEADLINE_SOON', deadline: at }
          : { ...base, kind: 'DOCUMENTS_EXPIRE_SOON', expiresAt: at };
    await sendEmail(
      notifications.mailer,
      { to: job.notice_email, ...renderSenderNotice(notice) },
      {
        idempotencyKey: `sender-notice:${args.jobId}:${args.noticeKey}`,
      },
    );
    noticeSent(noticeArgs);
    await recordNoticeSent(db, noticeArgs);
    return { outcome: 'SENT' };
  }

  return { prepareSigners, sendSignerNotice, forwardSignedCopies, deliverStatusCallback, sendSenderNotice };
}
