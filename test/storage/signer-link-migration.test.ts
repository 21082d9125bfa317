/**
 * Migration 0021_link_code_channel on a database holding a link issued before codes travelled
 * apart (its code was in the notice): the link keeps working with that code, wrong codes now
 * delay instead of blocking, and no code can be sent for it on request. Down and up again keep it.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db, migrateTo, migrateToLatest } from '../../src/db/index.js';
import { ensureDatabase } from '../../src/dev/embedded-postgres.js';
import { checkSignerCode, issueSignerCode, signerLinkState } from '../../src/portal/signer-links.js';

let db: Db;
const jobId = randomUUID();
const signerId = randomUUID();
const token = randomBytes(32).toString('base64url');
const code = '204816';

beforeAll(async () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `m_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  db = createDb(adminUrl.replace(/\/postgres$/, `/${name}`), 2);
  await migrateTo(db, '0020_pdfa_outcome');
  await sql`insert into organisations (org_number, name, sector) values ('987654325', 'Sender', 'PUBLIC')`.execute(
    db,
  );
  await sql`insert into signature_jobs (id, org_number, flow, status, title, request, request_hash)
    values (${jobId}, '987654325', 'portal', 'IN_PROGRESS', 'Job', '{}', 'h')`.execute(db);
  await sql`insert into signers (id, job_id, position, signing_order, email, signature_type, on_behalf_of, status, status_since)
    values (${signerId}, ${jobId}, 0, 0, 'a@example.com', 'AUTHENTICATED_SIGNATURE', 'OTHER', 'WAITING', now())`.execute(
    db,
  );
  // As issueSignerLink wrote it before: the token's SHA-256, the code's HMAC keyed by the token.
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const hmac = createHmac('sha256', token).update(code).digest('hex');
  await sql`insert into signer_links (token_hash, job_id, signer_id, code_hmac, expires_at)
    values (${tokenHash}, ${jobId}, ${signerId}, ${hmac}, now() + interval '30 days')`.execute(db);
});
afterAll(async () => {
  await db?.destroy();
});

describe('migration 0021_link_code_channel', () => {
  it('keeps an old link working with the code of its notice, delaying wrong codes, sending none', async () => {
    await migrateToLatest(db);
    expect(await signerLinkState(db, token)).toMatchObject({
      state: 'OPEN',
      codeChannel: 'NOTICE',
      hasCode: true,
    });
    expect(await issueSignerCode(db, token)).toMatchObject({ ok: false, reason: 'NO_CODE_CHANNEL' });
    for (let i = 1; i <= 3; i++) {
      expect(await checkSignerCode(db, token, '999999')).toMatchObject({
        reason: 'WRONG_CODE',
        failedAttempts: i,
      });
    }
    expect(await checkSignerCode(db, token, code)).toMatchObject({ ok: false, reason: 'WAIT' });
    await sql`update signer_links set next_try_at = now()`.execute(db);
    expect(await checkSignerCode(db, token, code)).toMatchObject({ ok: true, signerId });
  });

  it('goes down and up again with the old link kept', async () => {
    await migrateTo(db, '0020_pdfa_outcome');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from signer_links`.execute(db);
    expect(rows[0]!.n).toBe(1);
    await migrateToLatest(db);
    expect(await checkSignerCode(db, token, code)).toMatchObject({ ok: true });
  });
});
