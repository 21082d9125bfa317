import { type Kysely, sql } from 'kysely';

/**
 * Notices and outside registers (issue 7): sender callback secrets and the delivery log, the
 * forwarding of signed documents to digital mailboxes, and the development stand-ins for the
 * outside world (SMS log, contact register, digital mailbox). The development tables exist in
 * every environment but are only written by the development implementations.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Two active secrets per organisation at a time: the newest signs, the previous one keeps
  // verifying while the sender switches over. Secrets are kept in clear: HMAC needs the key.
  await db.schema
    .createTable('callback_secrets')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('org_number', 'text', (c) =>
      c.notNull().references('organisations.org_number').onDelete('cascade'),
    )
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('callback_secrets_active')
    .on('callback_secrets')
    .columns(['org_number', 'created_at'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  // One row per attempt, failed or not: what the sender reads through the API.
  await db.schema
    .createTable('callback_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('change_seq', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('callback_deliveries_job')
    .on('callback_deliveries')
    .columns(['job_id', 'change_seq', 'id'])
    .execute();

  // Where each SELF signer's copy of the signed document went: delivered, or offered for 7 days.
  await db.schema
    .createTable('mailbox_forwards')
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('signer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'DELIVERED', 'EXPIRED')`))
    .addColumn('offered_until', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('mailbox_forwards_pk', ['job_id', 'signer_id'])
    .execute();

  await db.schema
    .createTable('dev_sms')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('dev_contact_register')
    .addColumn('pid', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('mobile', 'text')
    .addColumn('reserved', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('dev_mailbox_accounts')
    .addColumn('pid', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('dev_mailbox_messages')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('pid', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('pdf', 'bytea', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'dev_mailbox_messages',
    'dev_mailbox_accounts',
    'dev_contact_register',
    'dev_sms',
    'mailbox_forwards',
    'callback_deliveries',
    'callback_secrets',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
