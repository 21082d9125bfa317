/**
 * The direct flow's signer links. On creation each signer gets a one-time redirect URL to the
 * signing ceremony; when the ceremony ends the signer is sent back to the sender's exit URL with a
 * `status_query_token`, which the sender presents to read the job's status. Tokens are 32 random
 * bytes (base64url); only their SHA-256 is stored, so a database leak opens no ceremony.
 */

import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { storedJobRequest } from '../db/job-reads.js';
import { directJobRequest } from '../db/jobs.js';
import { DEFAULT_AVAILABLE_SECONDS, type SignerStatus } from '../job/model.js';

/** Where the signing ceremony of a redirect token lives (the page itself belongs to the ceremony). */
export const DIRECT_CEREMONY_PATH = '/sign/direct';

/** How the ceremony ended for the signer: decides which of the sender's exit URLs is used. */
export type CeremonyOutcome = 'SIGNED' | 'REJECTED' | 'ERROR';

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Direct jobs always live 30 days from creation; their tokens expire with them. */
export function directJobExpiry(createdAt: Date): Date {
  return new Date(createdAt.getTime() + DEFAULT_AVAILABLE_SECONDS * 1000);
}

export function redirectUrlOf(publicUrl: string, token: string): string {
  return `${publicUrl}${DIRECT_CEREMONY_PATH}/${token}`;
}

/**
 * Issues a new one-time redirect URL for a signer of a direct job; earlier ones of that signer
 * stop working at once (in the same transaction, so two never work together).
 */
export async function issueRedirectUrl(
  db: Db,
  publicUrl: string,
  signer: { jobId: string; signerId: string; expiresAt: Date },
): Promise<string> {
  const { token, hash } = newToken();
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('signer_tokens')
      .set({ revoked_at: sql<Date>`now()` })
      .where('signer_id', '=', signer.signerId)
      .where('kind', '=', 'REDIRECT')
      .where('revoked_at', 'is', null)
      .execute();
    await tx
      .insertInto('signer_tokens')
      .values({
        token_hash: hash,
        kind: 'REDIRECT',
        job_id: signer.jobId,
        signer_id: signer.signerId,
        expires_at: signer.expiresAt,
      })
      .execute();
  });
  return redirectUrlOf(publicUrl, token);
}

/**
 * The signer a redirect token was made for, whatever its state (used, replaced or expired): the
 * page for a used link says how the signing went and leads back to the sender. Spends nothing.
 */
export async function redirectTokenSigner(
  db: Db,
  token: string,
): Promise<{ jobId: string; signerId: string } | null> {
  const row = await db
    .selectFrom('signer_tokens')
    .select(['job_id', 'signer_id'])
    .where('token_hash', '=', hashToken(token))
    .where('kind', '=', 'REDIRECT')
    .executeTakeFirst();
  return row ? { jobId: row.job_id, signerId: row.signer_id } : null;
}

/**
 * Where a used direct link leads back to: the sender's exit URL for how the signer's part went
 * (signed: completion; rejected: rejection; anything else: error, where the sender's site can
 * hand out a new link).
 */
export function usedLinkExit(
  status: SignerStatus,
  exitUrls: { completionUrl: string; rejectionUrl: string; errorUrl: string },
): { outcome: 'SIGNED' | 'REJECTED' | 'OTHER'; url: string } {
  if (status === 'SIGNED') return { outcome: 'SIGNED', url: exitUrls.completionUrl };
  if (status === 'REJECTED') return { outcome: 'REJECTED', url: exitUrls.rejectionUrl };
  return { outcome: 'OTHER', url: exitUrls.errorUrl };
}

/**
 * For the ceremony page: spends a redirect token and returns whose it is, or null when it is
 * unknown, used, replaced or expired. Atomic: of two simultaneous openings only one succeeds.
 */
export async function redeemRedirectToken(
  db: Db,
  token: string,
): Promise<{ jobId: string; signerId: string } | null> {
  const row = await db
    .updateTable('signer_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', hashToken(token))
    .where('kind', '=', 'REDIRECT')
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['job_id', 'signer_id'])
    .executeTakeFirst();
  return row ? { jobId: row.job_id, signerId: row.signer_id } : null;
}

/**
 * The URL the signer's browser goes to when the ceremony ends: the sender's completion, rejection
 * or error URL. With WAIT_FOR_CALLBACK it carries a new `status_query_token` (stored hashed, valid
 * as long as the job) that lets the sender read the status; a POLLING sender reads the queue instead.
 */
export async function finishDirectCeremony(
  db: Db,
  signer: { jobId: string; signerId: string },
  outcome: CeremonyOutcome,
): Promise<string> {
  const job = await directJobRequest(db, signer.jobId);
  const request = storedJobRequest(job.request);
  if (!request.exitUrls) throw new Error(`direct job ${signer.jobId} has no exit URLs`);
  const exitUrl = new URL(
    outcome === 'SIGNED'
      ? request.exitUrls.completionUrl
      : outcome === 'REJECTED'
        ? request.exitUrls.rejectionUrl
        : request.exitUrls.errorUrl,
  );
  if (request.statusRetrievalMethod !== 'POLLING') {
    const { token, hash } = newToken();
    await db
      .insertInto('signer_tokens')
      .values({
        token_hash: hash,
        kind: 'STATUS_QUERY',
        job_id: signer.jobId,
        signer_id: signer.signerId,
        expires_at: directJobExpiry(job.created_at),
      })
      .execute();
    exitUrl.searchParams.set('status_query_token', token);
  }
  return exitUrl.toString();
}

/** The signer a status query token was issued to, if it is a live token of this job. */
export async function signerOfStatusQueryToken(db: Db, jobId: string, token: string): Promise<string | null> {
  const row = await db
    .selectFrom('signer_tokens')
    .select('signer_id')
    .where('token_hash', '=', hashToken(token))
    .where('kind', '=', 'STATUS_QUERY')
    .where('job_id', '=', jobId)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.signer_id ?? null;
}

/** New one-time redirect URLs for the given signers of a direct job (signer id to URL). */
export async function issueRedirectUrls(
  db: Db,
  publicUrl: string,
  job: { id: string; createdAt: Date },
  signerIds: readonly string[],
): Promise<Map<string, string>> {
  const expiresAt = directJobExpiry(job.createdAt);
  const urls = new Map<string, string>();
  for (const signerId of signerIds) {
    urls.set(signerId, await issueRedirectUrl(db, publicUrl, { jobId: job.id, signerId, expiresAt }));
  }
  return urls;
}
