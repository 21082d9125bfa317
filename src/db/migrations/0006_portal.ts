import { type Kysely, sql } from 'kysely';

/**
 * The browser side (issue 6): server-side sessions of the ceremony and the portals, the sender
 * portal's organisation roles, the unique links with one-time codes of signers addressed by
 * e-mail/mobile, and the test eID's per-person signing keys.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('portal_sessions')
    // SHA-256 (hex) of the cookie value; the value itself lives only in the browser.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    // Set by an eID login; null for a session that has not logged in (yet).
    .addColumn('pid', 'text')
    .addColumn('name', 'text')
    .addColumn('auth_level', 'integer', (c) => c.check(sql`auth_level in (3, 4)`))
    .addColumn('authenticated_at', 'timestamptz')
    .addColumn('eid_provider', 'text')
    // Signers this browser may act as without an identity number match: [{jobId, signerId, via}].
    .addColumn('grants', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_sessions_expires').on('portal_sessions').column('expires_at').execute();

  await db.schema
    .createTable('portal_roles')
    .addColumn('pid', 'text', (c) => c.notNull())
    .addColumn('org_number', 'text', (c) =>
      c.notNull().references('organisations.org_number').onDelete('cascade'),
    )
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('SENDER', 'VIEWER')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('portal_roles_pk', ['pid', 'org_number', 'role'])
    .execute();

  await db.schema
    .createTable('signer_links')
    // SHA-256 of the link token; the code is stored as an HMAC keyed by the token, so neither the
    // link nor (without it) the six-digit code can be recovered from the database.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('signer_id', 'text', (c) => c.notNull().references('signers.id').onDelete('cascade'))
    .addColumn('code_hmac', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('signer_links_signer').on('signer_links').column('signer_id').execute();

  await db.schema
    .createTable('eid_test_keys')
    // SHA-256 of the identity number: the row is found by the person without naming them.
    .addColumn('pid_hash', 'text', (c) => c.primaryKey())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['eid_test_keys', 'signer_links', 'portal_roles', 'portal_sessions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
