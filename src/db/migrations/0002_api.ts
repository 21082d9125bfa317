import { type Kysely, sql } from 'kysely';

/**
 * What the sender API keeps beside the jobs: the direct flow's one-time signer links and status
 * query tokens (hashed), the permitted time of the next poll per status queue, and the rate-limit
 * counters. All in PostgreSQL, so several API processes behave as one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signer_tokens')
    // SHA-256 (hex) of the token; the token itself is handed out once and never stored.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('REDIRECT', 'STATUS_QUERY')`))
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('signer_id', 'text', (c) => c.notNull().references('signers.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('signer_tokens_signer')
    .on('signer_tokens')
    .columns(['signer_id', 'kind'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('status_queue_polls')
    .addColumn('org_number', 'text', (c) => c.notNull())
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('polling_queue', 'text', (c) => c.notNull())
    .addColumn('next_permitted_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('status_queue_polls_pk', ['org_number', 'flow', 'polling_queue'])
    .execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('blocked_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['rate_limits', 'status_queue_polls', 'signer_tokens']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
