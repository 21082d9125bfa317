/**
 * E-mail over SMTP (nodemailer): the development sink or any relay by `SMTP_URL`.
 *
 * Exactly-once is the caller's job (the `notices` row), but a retried activity may still hand the
 * same message to SMTP twice when it crashed between sending and recording. The Message-ID is
 * therefore derived from the idempotency key: the duplicate is recognisable, and mail systems
 * that suppress duplicate Message-IDs drop it.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { isValidEmail } from '../rules/contact.js';
import { permanentFailure } from './failures.js';
import type { RenderedEmail } from './templates/render.js';

export interface Mailer {
  transport: Transporter;
  /** The From header, e.g. `"Signeringstjenesten" <noreply@signering.example.no>`. */
  from: string;
  /** The right-hand side of generated Message-IDs. */
  messageIdDomain: string;
}

export interface MailerOptions {
  from: string;
  /** Defaults to the domain of the From address. */
  messageIdDomain?: string;
}

/** An e-mail to one recipient. */
export interface EmailMessage extends RenderedEmail {
  to: string;
  replyTo?: string;
}

/** Seconds are short on purpose: a hanging relay should fail the attempt, not the whole activity. */
const SMTP_TIMEOUT_MS = 15_000;

export function createMailer(smtpUrl: string, options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  const fromDomain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1];
  return {
    transport,
    from: options.from,
    messageIdDomain: options.messageIdDomain ?? fromDomain ?? 'localhost',
  };
}

/**
 * The Message-ID for an idempotency key. Hashed so the key's parts (job and signer ids) do not
 * show in headers, and so any key becomes a valid `id-left`.
 */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
  return `<${digest}@${domain}>`;
}

/**
 * Sends one e-mail. Throws a non-retryable `InvalidEmailAddress` for an address that cannot
 * work and `EmailRejected` when the relay refuses it for good (5xx); other errors (connection,
 * 4xx) are thrown as they are, to be retried.
 */
export async function sendEmail(
  mailer: Mailer,
  message: EmailMessage,
  opts: { idempotencyKey: string },
): Promise<{ messageId: string }> {
  if (!isValidEmail(message.to))
    throw permanentFailure('InvalidEmailAddress', 'the recipient address is not valid');
  const messageId = messageIdFor(opts.idempotencyKey, mailer.messageIdDomain);
  try {
    await mailer.transport.sendMail({
      from: mailer.from,
      to: message.to,
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
    });
  } catch (err) {
    const responseCode = (err as { responseCode?: unknown }).responseCode;
    if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
      // The relay's text may quote the address: keep only the code.
      throw permanentFailure('EmailRejected', `the SMTP relay refused the message (${responseCode})`);
    }
    throw err;
  }
  return { messageId };
}

export function closeMailer(mailer: Mailer): void {
  mailer.transport.close();
}
