/**
 * What the development stand-ins have "sent": the e-mails the SMTP sink wrote as .eml files,
 * the SMS log and the digital mailbox. Read by the development outbox pages and by tests.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';
import type { Db } from '../db/index.js';

export interface DevMailSummary {
  /** The file name without `.eml`: stable, and safe in a URL. */
  id: string;
  date: string | null;
  from: string;
  to: string;
  subject: string;
  messageId: string | null;
  /** Another message has the same Message-ID: the same notice was handed to SMTP twice. */
  duplicate: boolean;
}

export interface DevMail extends Omit<DevMailSummary, 'duplicate'> {
  text: string;
  html: string | null;
}

/** The newest messages first; at most `limit` (the sink's folder grows without bound). */
const DEFAULT_LIMIT = 200;
const MAIL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isDevMailId(id: string): boolean {
  return MAIL_ID.test(id) && !id.includes('..');
}

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).map((x) => x.text).join(', ');

async function parseMail(mailDir: string, id: string): Promise<DevMail> {
  const mail = await simpleParser(await readFile(join(mailDir, `${id}.eml`)));
  return {
    id,
    date: mail.date?.toISOString() ?? null,
    from: addresses(mail.from),
    to: addresses(mail.to),
    subject: mail.subject ?? '',
    messageId: mail.messageId ?? null,
    text: mail.text ?? '',
    html: mail.html === false ? null : (mail.html ?? null),
  };
}

export async function listDevMail(mailDir: string, limit = DEFAULT_LIMIT): Promise<DevMailSummary[]> {
  let files: string[];
  try {
    files = await readdir(mailDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // The sink names files by arrival time, so the name orders them.
  const ids = files
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.slice(0, -4))
    .filter(isDevMailId)
    .sort()
    .reverse()
    .slice(0, limit);
  const mails = await Promise.all(ids.map((id) => parseMail(mailDir, id)));
  const seen = new Map<string, number>();
  for (const m of mails) if (m.messageId) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
  return mails.map(({ text: _text, html: _html, ...summary }) => ({
    ...summary,
    duplicate: summary.messageId !== null && (seen.get(summary.messageId) ?? 0) > 1,
  }));
}

/** One message, or `undefined` for an unknown (or unsafe) id. */
export async function readDevMail(mailDir: string, id: string): Promise<DevMail | undefined> {
  if (!isDevMailId(id)) return undefined;
  try {
    return await parseMail(mailDir, id);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface DevSmsRecord {
  id: string;
  to: string;
  text: string;
  at: string;
}

export async function listDevSms(db: Db, limit = DEFAULT_LIMIT): Promise<DevSmsRecord[]> {
  const rows = await db.selectFrom('dev_sms').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, to: r.to_number, text: r.text, at: r.created_at.toISOString() }));
}

export interface DevMailboxMessage {
  id: string;
  pid: string;
  jobId: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  at: string;
}

export interface DevMailboxAccount {
  pid: string;
  createdAt: string;
}

export async function listDevMailbox(
  db: Db,
  filter: { pid?: string } = {},
  limit = DEFAULT_LIMIT,
): Promise<{ accounts: DevMailboxAccount[]; messages: DevMailboxMessage[] }> {
  let accounts = db.selectFrom('dev_mailbox_accounts').selectAll().orderBy('pid');
  let messages = db
    .selectFrom('dev_mailbox_messages')
    .select([
      'id',
      'pid',
      'job_id',
      'file_name',
      'sha256',
      'delivered_at',
      (eb) => eb.fn<number>('length', ['pdf']).as('size'),
    ])
    .orderBy('id', 'desc')
    .limit(limit);
  if (filter.pid) {
    accounts = accounts.where('pid', '=', filter.pid);
    messages = messages.where('pid', '=', filter.pid);
  }
  const [accountRows, messageRows] = await Promise.all([accounts.execute(), messages.execute()]);
  return {
    accounts: accountRows.map((a) => ({ pid: a.pid, createdAt: a.created_at.toISOString() })),
    messages: messageRows.map((m) => ({
      id: m.id,
      pid: m.pid,
      jobId: m.job_id,
      fileName: m.file_name,
      sizeBytes: Number(m.size),
      sha256: m.sha256,
      at: m.delivered_at.toISOString(),
    })),
  };
}

export async function readDevMailboxPdf(
  db: Db,
  id: string,
): Promise<{ fileName: string; pdf: Buffer } | undefined> {
  if (!/^\d+$/.test(id)) return undefined;
  const row = await db
    .selectFrom('dev_mailbox_messages')
    .select(['file_name', 'pdf'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { fileName: row.file_name, pdf: row.pdf } : undefined;
}
