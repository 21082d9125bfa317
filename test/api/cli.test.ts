/** The admin CLI: organisations and API keys (shown once, stored hashed, listed, revoked). */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { hashApiKey, senderOfApiKey } from '../../src/services/api-keys.js';
import { findOrganisation } from '../../src/services/organisations.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { insertJobRow } from '../helpers/jobs.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.db.destroy());

const ORG = '974760673';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, t.db, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('admin CLI', () => {
  it('registers an organisation, and refuses a bad number or sector', async () => {
    expect((await cli('orgs', 'add', ORG, '--name', 'Skatteetaten', '--sector', 'PUBLIC')).code).toBe(0);
    expect(await findOrganisation(t.db, ORG)).toEqual({
      orgNumber: ORG,
      name: 'Skatteetaten',
      sector: 'PUBLIC',
      longTermStorage: false,
      rateLimitPerSecond: null,
    });
    expect((await cli('orgs', 'add', '974760674', '--name', 'X', '--sector', 'PUBLIC')).code).toBe(2);
    expect((await cli('orgs', 'add', ORG, '--name', 'X', '--sector', 'NGO')).code).toBe(2);
    expect((await cli('orgs', 'add', ORG, '--sector', 'PUBLIC')).code).toBe(2);
  });

  it("sets a sender's fairness weight, and refuses one the server would not take", async () => {
    const weight = async () =>
      (
        await t.db
          .selectFrom('organisations')
          .select('fairness_weight')
          .where('org_number', '=', ORG)
          .executeTakeFirstOrThrow()
      ).fairness_weight;
    expect(await weight()).toBe(1);
    const set = await cli('orgs', 'weight', ORG, '3');
    expect(set.code).toBe(0);
    expect(set.out).toContain('running jobs keep the weight they started with');
    expect(await weight()).toBe(3);
    for (const bad of ['0', '0.0001', '1001', 'heavy', '']) {
      const refused = await cli('orgs', 'weight', ORG, bad);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('the weight must be a number from 0.001 to 1000');
    }
    expect((await cli('orgs', 'weight', ORG)).code).toBe(2);
    expect((await cli('orgs', 'weight', ORG, '-1')).code).toBe(2);
    expect(await weight()).toBe(3);
    const unknown = await cli('orgs', 'weight', '889640782', '2');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no organisation 889640782');
  });

  it("sets a sender's own API rate limit, none (0) or the default again, and refuses others", async () => {
    const limit = async () => (await findOrganisation(t.db, ORG))!.rateLimitPerSecond;
    expect(await limit()).toBeNull();
    const raised = await cli('orgs', 'rate-limit', ORG, '500');
    expect(raised.code).toBe(0);
    expect(raised.out).toBe(
      `${ORG} may make 500 API requests per second from its next request (a block under way runs to its end)`,
    );
    expect(await limit()).toBe(500);
    const none = await cli('orgs', 'rate-limit', ORG, '0');
    expect(none.code).toBe(0);
    expect(none.out).toBe(`${ORG} has no API rate limit from its next request`);
    expect(await limit()).toBe(0);
    for (const bad of ['fast', '', '2.5', '1e3', '100001', ' 5', 'Default']) {
      const refused = await cli('orgs', 'rate-limit', ORG, bad);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain(
        `the rate limit must be a whole number of requests per second from 0 (no limit) to 100000, or default: ${bad}`,
      );
    }
    expect((await cli('orgs', 'rate-limit', ORG)).err).toContain('or default: (none)');
    expect((await cli('orgs', 'rate-limit', ORG, '-1')).code).toBe(2);
    expect((await cli('orgs', 'rate-limit', '974760674', '20')).code).toBe(2);
    expect(await limit()).toBe(0);
    const unknown = await cli('orgs', 'rate-limit', '889640782', '20');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no organisation 889640782');
    const reset = await cli('orgs', 'rate-limit', ORG, 'default');
    expect(reset.code).toBe(0);
    expect(reset.out).toBe(
      `${ORG} has the configured API rate limit (RATE_LIMIT_PER_SECOND) from its next request (a block under way runs to its end)`,
    );
    expect(await limit()).toBeNull();
  });

  it("turns long-term storage for all of a sender's jobs on and off", async () => {
    const stored = async () =>
      (
        await t.db
          .selectFrom('organisations')
          .select('long_term_storage')
          .where('org_number', '=', ORG)
          .executeTakeFirstOrThrow()
      ).long_term_storage;
    expect(await stored()).toBe(false);
    const on = await cli('orgs', 'long-term-storage', ORG, 'on');
    expect(on.code).toBe(0);
    expect(on.out).toContain('long-term storage');
    expect(await stored()).toBe(true);
    expect((await cli('orgs', 'long-term-storage', ORG, 'off')).code).toBe(0);
    expect(await stored()).toBe(false);
    expect((await cli('orgs', 'long-term-storage', ORG, 'maybe')).code).toBe(2);
    expect((await cli('orgs', 'long-term-storage', '974760674', 'on')).code).toBe(2);
    const unknown = await cli('orgs', 'long-term-storage', '889640782', 'on');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no organisation 889640782');
  });

  it('creates a key shown once and stored only hashed; lists and revokes it', async () => {
    const created = await cli('api-keys', 'create', '--org', ORG, '--label', 'hr-system');
    expect(created.code).toBe(0);
    const key = /key: (\S+)/.exec(created.out)![1]!;
    const id = /id: +(\S+)/.exec(created.out)![1]!;
    expect(await senderOfApiKey(t.db, key)).toMatchObject({ orgNumber: ORG, rateLimitPerSecond: null });
    const stored = await t.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(stored)).not.toContain(key);

    const listed = await cli('api-keys', 'list', '--org', ORG);
    expect(listed.out).toContain(id);
    expect(listed.out).toContain('active');
    expect(listed.out).toContain('hr-system');
    expect(listed.out).not.toContain(key);

    expect((await cli('api-keys', 'revoke', id)).code).toBe(0);
    expect(await senderOfApiKey(t.db, key)).toBeNull();
    expect((await cli('api-keys', 'list', '--org', ORG)).out).toContain('revoked');
    expect((await cli('api-keys', 'revoke', id)).code).toBe(1);
  });

  it('refuses keys for unregistered organisations, and unknown commands with usage', async () => {
    expect((await cli('api-keys', 'create', '--org', '923609016')).code).toBe(1);
    const unknown = await cli('users', 'add');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('usage: npm run cli');
  });

  it('runs as `npm run cli` does (tsx src/cli/main.ts), reading DATABASE_URL', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'api-keys', 'list', '--org', ORG],
      {
        env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
      },
    );
    expect(stdout).toContain('revoked');
  });

  it("shows a job's recorded status and signers from PostgreSQL (no worker asked)", async () => {
    const jobId = await insertJobRow(t.db, {
      org_number: ORG,
      status: 'FAILED',
      status_since: '2026-05-02T10:00:00.000Z',
      failure_reason: 'CANCELLED',
      retention_until: '2026-06-11T10:00:00.000Z',
    });
    const signerId = randomUUID();
    await t.db
      .insertInto('signers')
      .values({
        id: signerId,
        job_id: jobId,
        position: 0,
        signing_order: 1,
        personal_identification_number: null,
        custom_identifier: null,
        email: 'kari@example.com',
        mobile: null,
        signature_type: 'AUTHENTICATED_SIGNATURE',
        on_behalf_of: 'SELF',
        status: 'CANCELLED',
        status_since: '2026-05-02T10:00:00.000Z',
      })
      .execute();
    const shown = await cli('jobs', 'show', jobId);
    expect(shown.code).toBe(0);
    expect(shown.out.split('\n')).toEqual([
      `${jobId}  ${ORG}  portal  FAILED since 2026-05-02T10:00:00.000Z`,
      'failure reason: CANCELLED',
      'documents kept until: 2026-06-11T10:00:00.000Z',
      `  ${signerId}  group 1  CANCELLED since 2026-05-02T10:00:00.000Z`,
    ]);
    const missing = await cli('jobs', 'show', randomUUID());
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^no job /);
  });
});
