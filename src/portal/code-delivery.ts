/**
 * Sends a signer link's one-time code when the signer asks for it on the link's page: over the
 * link's code channel (the other channel than the link's), in the page's language, and at once,
 * day or night. The quiet hours of notices (no SMS 22-08 Oslo time) do not hold it back: a notice
 * comes unasked, while this code is asked for by the person waiting for it on the page.
 *
 * An SMS is metered like an SMS notice (the sender pays for what its signers are sent).
 */
import { randomUUID } from 'node:crypto';
import { noticeUsageEvent, type PriceTable, recordUsageEvents } from '../billing/index.js';
import type { Db } from '../db/index.js';
import { signerRecipient } from '../db/job-reads.js';
import type { NotificationAdapters } from '../notifications/config.js';
import type { NoticeLocale } from '../notifications/locale.js';
import { sendEmail } from '../notifications/mailer.js';
import { renderOneTimeCode } from '../notifications/templates/one-time-code.js';
import { type CodeChannel, maskedEmail, mobileEnding } from './code-rules.js';
import { type CodeIssue, issueSignerCode, withdrawSignerCode } from './signer-links.js';

export interface CodeDeliveryDeps {
  db: Db;
  /** The mail relay and SMS gateway; absent: no code can be sent (the page says so). */
  notifications?: Pick<NotificationAdapters, 'mailer' | 'sms'>;
  prices?: PriceTable;
}

export type CodeDelivery =
  | { ok: true; channel: CodeChannel; jobId: string; signerId: string }
  | Exclude<CodeIssue, { ok: true }>
  /** The relay or gateway did not take it: nothing counted, the signer may ask again at once. */
  | { ok: false; reason: 'NOT_SENT'; jobId: string; signerId: string };

export async function sendSignerCode(
  deps: CodeDeliveryDeps,
  token: string,
  locale: NoticeLocale,
): Promise<CodeDelivery> {
  const issued = await issueSignerCode(deps.db, token);
  if (!issued.ok) return issued;
  const ids = { jobId: issued.jobId, signerId: issued.signerId };
  const notSent = async (): Promise<CodeDelivery> => {
    await withdrawSignerCode(deps.db, token, issued.sendNumber);
    return { ok: false, reason: 'NOT_SENT', ...ids };
  };
  const recipient = await signerRecipient(deps.db, issued.signerId);
  const address = issued.channel === 'SMS' ? recipient?.mobile : recipient?.email;
  if (!recipient || !address || !deps.notifications) return notSent();
  const message = renderOneTimeCode({ locale, senderName: recipient.sender_name, code: issued.code });
  // A key of its own per send (never the code: keys are stored and logged by gateways).
  const idempotencyKey = `signer-code:${issued.signerId}:${issued.sendNumber}:${randomUUID()}`;
  try {
    if (issued.channel === 'SMS') {
      await deps.notifications.sms.send({ to: address, text: message.sms, idempotencyKey });
    } else {
      if (!deps.notifications.mailer) return notSent();
      await sendEmail(deps.notifications.mailer, { to: address, ...message }, { idempotencyKey });
    }
  } catch {
    // The gateway's error may quote the address: the page says only that it was not sent.
    return notSent();
  }
  if (deps.prices) {
    await recordUsageEvents(
      deps.db,
      [
        noticeUsageEvent({
          orgNumber: recipient.org_number,
          ...ids,
          channel: issued.channel,
          noticeKey: `ONE_TIME_CODE:${idempotencyKey}`,
          sentAt: new Date(),
        }),
      ],
      deps.prices,
    );
  }
  return { ok: true, channel: issued.channel, ...ids };
}

/** Where the code of a link goes, as the page may show it: a number's end, a masked address. */
export async function codeDestination(
  db: Db,
  signerId: string,
  channel: CodeChannel,
): Promise<{ end: string } | { address: string } | null> {
  const r = await signerRecipient(db, signerId);
  if (channel === 'SMS') return r?.mobile ? { end: mobileEnding(r.mobile) } : null;
  return r?.email ? { address: maskedEmail(r.email) } : null;
}
