/**
 * The unique link and one-time code of a portal signer addressed by e-mail or mobile (no identity
 * number to match a login against). The notice carries the link; the code is sent on the signer's
 * request over the OTHER channel (code-rules.ts), or there is none when only one channel exists.
 * Whoever opens the link (and types the code, where there is one) may act for that signer, after
 * an eID login. The token is stored as SHA-256; the code as an HMAC keyed by the token, so a copy
 * of the database opens nothing and cannot be searched for codes. Wrong codes delay the next try
 * (codeRetryDelayMs); they never block the signer nor end the job.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { MAX_AVAILABLE_SECONDS } from '../job/model.js';
import { type CodeChannel, codeRetryDelayMs, nextCodeSendAt, normaliseCode } from './code-rules.js';

export const SIGNER_LINK_PATH = '/portal/link';

/**
 * How a link's code travels: SMS or EMAIL (the other channel, sent on request), NONE (one
 * channel only: no code), NOTICE (links issued before codes travelled apart: the code was in
 * the notice; they work until the next notice replaces them).
 */
export type LinkCodeChannel = CodeChannel | 'NONE' | 'NOTICE';

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const codeHmac = (token: string, code: string) =>
  createHmac('sha256', token).update(code, 'utf8').digest('hex');

/**
 * A new link for the signer; earlier links of the signer stop working. Valid as long as any group
 * of a portal job can be (the workflow still decides whether the signer may act). No code yet:
 * one is made when the signer asks for it on the link's page.
 */
export async function issueSignerLink(
  db: Db,
  signer: { jobId: string; signerId: string; publicUrl: string; codeChannel: CodeChannel | 'NONE' },
): Promise<{ url: string }> {
  const token = randomBytes(32).toString('base64url');
  // Lifetime of the longest job: activation may be far off and each group has its own deadline.
  const expiresAt = new Date(Date.now() + 2 * MAX_AVAILABLE_SECONDS * 1000);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('signer_links')
      .set({ revoked_at: sql<Date>`now()` })
      .where('signer_id', '=', signer.signerId)
      .where('revoked_at', 'is', null)
      .execute();
    await tx
      .insertInto('signer_links')
      .values({
        token_hash: hashToken(token),
        job_id: signer.jobId,
        signer_id: signer.signerId,
        code_channel: signer.codeChannel,
        expires_at: expiresAt,
      })
      .execute();
  });
  return { url: `${signer.publicUrl}${SIGNER_LINK_PATH}/${token}` };
}

export interface OpenLink {
  state: 'OPEN';
  jobId: string;
  signerId: string;
  codeChannel: LinkCodeChannel;
  /** A code exists to be typed (sent, or given in the notice of an old link). */
  hasCode: boolean;
  codesSent: number;
  codeSentAt: Date | null;
  /** When a new code may be sent; null: this link may send no more. */
  nextSendAt: Date | null;
  /** No code is checked before this time (wrong codes); null: now. */
  nextTryAt: Date | null;
  /** The database's clock, which every time above is on. */
  now: Date;
}

export type LinkState = OpenLink | { state: 'UNKNOWN' };

const linkColumns = [
  'job_id',
  'signer_id',
  'code_channel',
  'code_hmac',
  'codes_sent',
  'code_sent_at',
  'next_try_at',
  'failed_attempts',
] as const;

function findLink(db: Db, token: string) {
  return db
    .selectFrom('signer_links')
    .select([...linkColumns, sql<Date>`now()`.as('now')])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`);
}

type LinkRow = NonNullable<Awaited<ReturnType<ReturnType<typeof findLink>['executeTakeFirst']>>>;

function openLink(row: LinkRow): OpenLink {
  return {
    state: 'OPEN',
    jobId: row.job_id,
    signerId: row.signer_id,
    codeChannel: row.code_channel,
    hasCode: row.code_hmac !== null,
    codesSent: row.codes_sent,
    codeSentAt: row.code_sent_at,
    nextSendAt: nextCodeSendAt({ codesSent: row.codes_sent, lastSentAt: row.code_sent_at }),
    nextTryAt: row.next_try_at && row.next_try_at > row.now ? row.next_try_at : null,
    now: row.now,
  };
}

/** What a link is now: usable (and how its code stands), or unknown/replaced/expired. */
export async function signerLinkState(db: Db, token: string): Promise<LinkState> {
  if (token.length > 64) return { state: 'UNKNOWN' };
  const row = await findLink(db, token).executeTakeFirst();
  return row ? openLink(row) : { state: 'UNKNOWN' };
}

type Ids = { jobId: string; signerId: string };

export type CodeIssue =
  | ({ ok: true; code: string; channel: CodeChannel; sendNumber: number } & Ids)
  | { ok: false; reason: 'UNKNOWN' }
  /** NONE or NOTICE: this link's code is not sent on request. */
  | ({ ok: false; reason: 'NO_CODE_CHANNEL' } & Ids)
  /** Too soon after the last code (`nextSendAt`), or no more codes for this link (null). */
  | ({ ok: false; reason: 'NOT_NOW'; nextSendAt: Date | null } & Ids);

/**
 * A new code for the link, replacing any earlier one; the caller sends it over `channel`. Taken
 * under the row's lock, so two browsers asking at once cannot pass the send limits together.
 */
export async function issueSignerCode(db: Db, token: string): Promise<CodeIssue> {
  if (token.length > 64) return { ok: false, reason: 'UNKNOWN' };
  return db.transaction().execute(async (tx) => {
    const row = await findLink(tx, token).forUpdate().executeTakeFirst();
    if (!row) return { ok: false, reason: 'UNKNOWN' };
    const link = openLink(row);
    const ids = { jobId: link.jobId, signerId: link.signerId };
    if (link.codeChannel !== 'SMS' && link.codeChannel !== 'EMAIL')
      return { ok: false, reason: 'NO_CODE_CHANNEL', ...ids };
    if (!link.nextSendAt || link.nextSendAt > link.now)
      return { ok: false, reason: 'NOT_NOW', nextSendAt: link.nextSendAt, ...ids };
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await tx
      .updateTable('signer_links')
      .set({
        code_hmac: codeHmac(token, code),
        codes_sent: row.codes_sent + 1,
        code_sent_at: row.now,
      })
      .where('token_hash', '=', hashToken(token))
      .execute();
    return { ok: true, code, channel: link.codeChannel, sendNumber: row.codes_sent + 1, ...ids };
  });
}

/**
 * The code could not be handed to the gateway: it is withdrawn and the send does not count, so
 * the signer may ask again at once.
 */
export async function withdrawSignerCode(db: Db, token: string, sendNumber: number): Promise<void> {
  await db
    .updateTable('signer_links')
    .set({ code_hmac: null, codes_sent: sendNumber - 1, code_sent_at: null })
    .where('token_hash', '=', hashToken(token))
    .where('codes_sent', '=', sendNumber)
    .execute();
}

export type CodeCheck =
  | ({ ok: true } & Ids)
  | { ok: false; reason: 'UNKNOWN' }
  /** Not six digits: not counted as a try. */
  | ({ ok: false; reason: 'MALFORMED' } & Ids)
  /** No code to check: none was sent yet, or the link has none (NONE). */
  | ({ ok: false; reason: 'NO_CODE' } & Ids)
  /** Too early after wrong codes: not checked, not counted. */
  | ({ ok: false; reason: 'WAIT'; nextTryAt: Date } & Ids)
  | ({ ok: false; reason: 'WRONG_CODE'; failedAttempts: number; nextTryAt: Date | null } & Ids);

/**
 * Checks a typed code under the row's lock (two browsers guessing at once are counted one after
 * the other, each seeing the other's delay). A right code clears the count of wrong ones.
 */
export async function checkSignerCode(db: Db, token: string, typed: string): Promise<CodeCheck> {
  if (token.length > 64) return { ok: false, reason: 'UNKNOWN' };
  return db.transaction().execute(async (tx): Promise<CodeCheck> => {
    const row = await findLink(tx, token).forUpdate().executeTakeFirst();
    if (!row) return { ok: false, reason: 'UNKNOWN' };
    const ids = { jobId: row.job_id, signerId: row.signer_id };
    const code = normaliseCode(typed);
    if (code === null) return { ok: false, reason: 'MALFORMED', ...ids };
    if (row.code_hmac === null) return { ok: false, reason: 'NO_CODE', ...ids };
    if (row.next_try_at && row.next_try_at > row.now)
      return { ok: false, reason: 'WAIT', nextTryAt: row.next_try_at, ...ids };
    const where = (q: typeof tx) => q.updateTable('signer_links').where('token_hash', '=', hashToken(token));
    const expected = Buffer.from(row.code_hmac, 'hex');
    const given = Buffer.from(codeHmac(token, code), 'hex');
    if (timingSafeEqual(expected, given)) {
      await where(tx).set({ failed_attempts: 0, next_try_at: null }).execute();
      return { ok: true, ...ids };
    }
    const failedAttempts = row.failed_attempts + 1;
    const delay = codeRetryDelayMs(failedAttempts);
    const nextTryAt = delay > 0 ? new Date(row.now.getTime() + delay) : null;
    await where(tx).set({ failed_attempts: failedAttempts, next_try_at: nextTryAt }).execute();
    return { ok: false, reason: 'WRONG_CODE', failedAttempts, nextTryAt, ...ids };
  });
}
