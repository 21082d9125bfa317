/**
 * The signer's digital mailbox (in Norway: Digipost or e-Boks through the national mailbox
 * service), behind one interface: a development mailbox over two tables, and an HTTP client for
 * a bridge to the real one.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.js';
import { asBaseUrl, jsonOf, postJson } from './http-json.js';

export interface MailboxDelivery {
  pid: string;
  jobId: string;
  fileName: string;
  pdf: Uint8Array;
  /** The same key is the same delivery: it lands in the mailbox once. */
  idempotencyKey: string;
}

export interface DigitalMailbox {
  hasMailbox(pid: string): Promise<boolean>;
  deliver(delivery: MailboxDelivery): Promise<void>;
}

export interface DevDigitalMailbox extends DigitalMailbox {
  /** Opens a mailbox for a person (idempotent): how tests and the dev page play "created later". */
  createAccount(pid: string): Promise<void>;
}

export class MailboxError extends Error {
  override readonly name = 'MailboxError';
}

export function createDevDigitalMailbox(db: Db): DevDigitalMailbox {
  const hasMailbox = async (pid: string) =>
    (await db.selectFrom('dev_mailbox_accounts').select('pid').where('pid', '=', pid).executeTakeFirst()) !==
    undefined;
  return {
    hasMailbox,
    async createAccount(pid) {
      await db
        .insertInto('dev_mailbox_accounts')
        .values({ pid })
        .onConflict((oc) => oc.column('pid').doNothing())
        .execute();
    },
    async deliver({ pid, jobId, fileName, pdf, idempotencyKey }) {
      if (!(await hasMailbox(pid))) throw new MailboxError('the person has no digital mailbox');
      const content = Buffer.from(pdf);
      await db
        .insertInto('dev_mailbox_messages')
        .values({
          idempotency_key: idempotencyKey,
          pid,
          job_id: jobId,
          file_name: fileName,
          pdf: content,
          sha256: createHash('sha256').update(content).digest('hex'),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    },
  };
}

/**
 * The HTTP bridge's contract (JSON; bearer token; identity numbers only in bodies):
 *
 *     POST {baseUrl}/mailboxes/lookup   { "pid": "..." }   → 200 { "active": true | false }
 *     POST {baseUrl}/messages           Idempotency-Key: <key>
 *          { "pid", "jobId", "fileName", "contentType": "application/pdf", "pdfBase64" } → 2xx
 *
 * Any other status is an error (retried by the activity).
 */
export interface HttpDigitalMailboxConfig {
  baseUrl: string;
  bearerToken: string;
  timeoutMs?: number;
}

export function createHttpDigitalMailbox(config: HttpDigitalMailboxConfig): DigitalMailbox {
  const base = asBaseUrl(config.baseUrl);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    postJson(new URL(path, base), {
      headers: { authorization: `Bearer ${config.bearerToken}`, ...headers },
      body,
      timeoutMs: config.timeoutMs ?? 30_000,
      error: (message) => new MailboxError(message),
      peer: 'the digital mailbox',
    });
  return {
    async hasMailbox(pid) {
      const answer = (await jsonOf(await post('mailboxes/lookup', { pid }))) as
        | { active?: unknown }
        | undefined;
      if (typeof answer?.active !== 'boolean')
        throw new MailboxError('the digital mailbox answered in an unexpected shape');
      return answer.active;
    },
    async deliver({ pid, jobId, fileName, pdf, idempotencyKey }) {
      const response = await post(
        'messages',
        {
          pid,
          jobId,
          fileName,
          contentType: 'application/pdf',
          pdfBase64: Buffer.from(pdf).toString('base64'),
        },
        { 'idempotency-key': idempotencyKey },
      );
      await response.body?.cancel();
    },
  };
}
