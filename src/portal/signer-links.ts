/**
 * The unique link and one-time code of a portal signer addressed by e-mail or mobile (no identity
 * number to match a login against). The notice carries the link; the code goes with it (or by the
 * other channel). Whoever opens the link and types the code may act for that signer, after an
 * eID login. The token is stored as SHA-256; the code as an HMAC keyed by the token, so a copy of
 * the database opens nothing and cannot be searched for codes. After MAX_CODE_ATTEMPTS wrong codes
 * the signer is BLOCKED (the workflow ends the job, as the national service does).
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { MAX_AVAILABLE_SECONDS } from '../job/model.js';

export const MAX_CODE_ATTEMPTS = 5;
export const SIGNER_LINK_PATH = '/portal/link';

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const codeHmac = (token: string, code: string) =>
  createHmac('sha256', token).update(code, 'utf8').digest('hex');

/**
 * A new link and code for the signer; earlier links of the signer stop working. Valid as long as
 * any group of a portal job can be (the workflow still decides whether the signer may act).
 */
export async function issueSignerLink(
  db: Db,
  signer: { jobId: string; signerId: string; publicUrl: string },
): Promise<{ url: string; code: string }> {
  const token = randomBytes(32).toString('base64url');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
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
        code_hmac: codeHmac(token, code),
        expires_at: expiresAt,
      })
      .execute();
  });
  return { url: `${signer.publicUrl}${SIGNER_LINK_PATH}/${token}`, code };
}

export type LinkState =
  | { state: 'OPEN'; jobId: string; signerId: string; attemptsLeft: number }
  | { state: 'BLOCKED'; jobId: string; signerId: string }
  | { state: 'UNKNOWN' };

/** What a link is now: usable, blocked by wrong codes, or unknown/replaced/expired. */
export async function signerLinkState(db: Db, token: string): Promise<LinkState> {
  if (token.length > 64) return { state: 'UNKNOWN' };
  const row = await db
    .selectFrom('signer_links')
    .select(['job_id', 'signer_id', 'failed_attempts'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return { state: 'UNKNOWN' };
  const ids = { jobId: row.job_id, signerId: row.signer_id };
  return row.failed_attempts >= MAX_CODE_ATTEMPTS
    ? { state: 'BLOCKED', ...ids }
    : { state: 'OPEN', ...ids, attemptsLeft: MAX_CODE_ATTEMPTS - row.failed_attempts };
}

export type CodeCheck =
  | { ok: true; jobId: string; signerId: string }
  | { ok: false; reason: 'UNKNOWN' }
  | { ok: false; reason: 'WRONG_CODE'; jobId: string; signerId: string; attemptsLeft: number }
  /** `justBlocked`: this attempt was the last one; the caller tells the workflow. */
  | { ok: false; reason: 'BLOCKED'; jobId: string; signerId: string; justBlocked: boolean };

/**
 * Checks a typed code. A wrong code counts atomically (two browsers guessing at once cannot get
 * more than MAX_CODE_ATTEMPTS tries between them).
 */
export async function checkSignerCode(db: Db, token: string, code: string): Promise<CodeCheck> {
  const link = await signerLinkState(db, token);
  if (link.state === 'UNKNOWN') return { ok: false, reason: 'UNKNOWN' };
  if (link.state === 'BLOCKED') return { ok: false, reason: 'BLOCKED', ...ids(link), justBlocked: false };
  const row = await db
    .selectFrom('signer_links')
    .select('code_hmac')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirstOrThrow();
  const expected = Buffer.from(row.code_hmac, 'hex');
  const given = Buffer.from(codeHmac(token, code.trim()), 'hex');
  if (timingSafeEqual(expected, given)) return { ok: true, ...ids(link) };

  const counted = await db
    .updateTable('signer_links')
    .set({ failed_attempts: sql<number>`failed_attempts + 1` })
    .where('token_hash', '=', hashToken(token))
    .where('failed_attempts', '<', MAX_CODE_ATTEMPTS)
    .returning('failed_attempts')
    .executeTakeFirst();
  if (!counted || counted.failed_attempts >= MAX_CODE_ATTEMPTS) {
    return {
      ok: false,
      reason: 'BLOCKED',
      ...ids(link),
      justBlocked: counted?.failed_attempts === MAX_CODE_ATTEMPTS,
    };
  }
  return {
    ok: false,
    reason: 'WRONG_CODE',
    ...ids(link),
    attemptsLeft: MAX_CODE_ATTEMPTS - counted.failed_attempts,
  };
}

const ids = (link: { jobId: string; signerId: string }) => ({ jobId: link.jobId, signerId: link.signerId });
