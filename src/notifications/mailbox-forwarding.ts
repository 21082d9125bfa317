/**
 * Forwarding the signed document to each SELF signer's digital mailbox once every signer has
 * signed. A signer without a mailbox is offered the copy for 7 days: a mailbox created in that
 * time still receives it. The state of each offer is a row in `mailbox_forwards`, so the
 * workflow (or a sweeper over {@link pendingMailboxDeliveries}) can simply call
 * {@link forwardToMailbox} again, e.g. once a day, until it no longer answers PENDING.
 */
import type { Db } from '../db/index.js';
import type { DigitalMailbox } from './mailbox.js';

export const MAILBOX_OFFER_DAYS = 7;
const OFFER_MS = MAILBOX_OFFER_DAYS * 24 * 60 * 60 * 1000;

export type MailboxForwardOutcome =
  | { status: 'DELIVERED' }
  /** No mailbox yet: send the MAILBOX_OFFER notice (idempotently) and check again later. */
  | { status: 'PENDING'; offeredUntil: Date }
  /** The 7 days passed without a mailbox: the signer can only download the copy. */
  | { status: 'EXPIRED' };

export interface ForwardToMailboxArgs {
  jobId: string;
  signerId: string;
  /** The signer's identity number (from the signers table, never from workflow history). */
  pid: string;
  fileName: string;
  /** Loads the signed PAdES only when it will be delivered. */
  loadPdf: () => Promise<Uint8Array>;
  now: Date;
}

/** The idempotency key of a signer's delivery: one copy per job and signer, however often retried. */
export const mailboxDeliveryKey = (jobId: string, signerId: string) => `mailbox:${jobId}:${signerId}`;

/**
 * Delivers the signed copy if the signer has a mailbox now, records the offer otherwise.
 * Idempotent and safe to retry: the first call starts the 7 days, later calls only move an offer
 * to DELIVERED or EXPIRED.
 */
export async function forwardToMailbox(
  deps: { db: Db; mailbox: DigitalMailbox },
  args: ForwardToMailboxArgs,
): Promise<MailboxForwardOutcome> {
  const { db, mailbox } = deps;
  await db
    .insertInto('mailbox_forwards')
    .values({
      job_id: args.jobId,
      signer_id: args.signerId,
      status: 'PENDING',
      offered_until: new Date(args.now.getTime() + OFFER_MS),
    })
    .onConflict((oc) => oc.columns(['job_id', 'signer_id']).doNothing())
    .execute();
  const forward = await db
    .selectFrom('mailbox_forwards')
    .select(['status', 'offered_until'])
    .where('job_id', '=', args.jobId)
    .where('signer_id', '=', args.signerId)
    .executeTakeFirstOrThrow();
  if (forward.status !== 'PENDING') return { status: forward.status };

  // A check exactly at the end of the offer still delivers, so a last re-check timed for
  // `offeredUntil` settles the offer either way.
  const now = args.now.getTime();
  const until = forward.offered_until.getTime();
  if (now > until) return expire(db, args);
  if (await mailbox.hasMailbox(args.pid)) {
    await mailbox.deliver({
      pid: args.pid,
      jobId: args.jobId,
      fileName: args.fileName,
      pdf: await args.loadPdf(),
      idempotencyKey: mailboxDeliveryKey(args.jobId, args.signerId),
    });
    await setStatus(db, args, 'DELIVERED');
    return { status: 'DELIVERED' };
  }
  if (now === until) return expire(db, args);
  return { status: 'PENDING', offeredUntil: forward.offered_until };
}

async function expire(db: Db, args: ForwardToMailboxArgs): Promise<MailboxForwardOutcome> {
  await setStatus(db, args, 'EXPIRED');
  return { status: 'EXPIRED' };
}

async function setStatus(db: Db, args: ForwardToMailboxArgs, status: 'DELIVERED' | 'EXPIRED') {
  await db
    .updateTable('mailbox_forwards')
    .set({ status, ...(status === 'DELIVERED' ? { delivered_at: args.now } : {}) })
    .where('job_id', '=', args.jobId)
    .where('signer_id', '=', args.signerId)
    .where('status', '=', 'PENDING')
    .execute();
}

/** Offers still open at `now`: what a periodic re-check should try again. */
export async function pendingMailboxDeliveries(
  db: Db,
  now: Date,
): Promise<{ jobId: string; signerId: string; offeredUntil: Date }[]> {
  const rows = await db
    .selectFrom('mailbox_forwards')
    .select(['job_id', 'signer_id', 'offered_until'])
    .where('status', '=', 'PENDING')
    .where('offered_until', '>', now)
    .orderBy('offered_until')
    .execute();
  return rows.map((r) => ({ jobId: r.job_id, signerId: r.signer_id, offeredUntil: r.offered_until }));
}
