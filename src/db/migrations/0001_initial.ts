import { type Kysely, sql } from 'kysely';

/** The first schema: organisations and keys, jobs with signers and documents, results, queue, audit. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('org_number', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull().check(sql`sector in ('PUBLIC', 'PRIVATE')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_number', 'text', (c) => c.notNull().references('organisations.org_number'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('signature_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_number', 'text', (c) => c.notNull().references('organisations.org_number'))
    .addColumn('flow', 'text', (c) => c.notNull().check(sql`flow in ('direct', 'portal')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('polling_queue', 'text')
    .addColumn('request', 'jsonb', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('signature_jobs_idempotency')
    .on('signature_jobs')
    .columns(['org_number', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('signature_jobs_org')
    .on('signature_jobs')
    .columns(['org_number', 'created_at'])
    .execute();

  await db.schema
    .createTable('signers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('signing_order', 'integer', (c) => c.notNull())
    .addColumn('personal_identification_number', 'text')
    .addColumn('custom_identifier', 'text')
    .addColumn('email', 'text')
    .addColumn('mobile', 'text')
    .addColumn('signature_type', 'text', (c) => c.notNull())
    .addColumn('on_behalf_of', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_since', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('signers_job_position', ['job_id', 'position'])
    .execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea')
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('documents_job_position', ['job_id', 'position'])
    .execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('signer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('XADES', 'PADES')`))
    .addColumn('content', 'bytea')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    // One result of each kind per job and signer: a retried packaging stores it once.
    .addUniqueConstraint('artifacts_one_per_kind', ['job_id', 'signer_id', 'kind'])
    .execute();

  await db.schema
    .createTable('status_changes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('org_number', 'text', (c) => c.notNull())
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('polling_queue', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('job_status', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('invisible_until', 'timestamptz')
    .addColumn('confirmed_at', 'timestamptz')
    .addUniqueConstraint('status_changes_job_seq', ['job_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('status_changes_queue')
    .on('status_changes')
    .columns(['org_number', 'flow', 'polling_queue', 'id'])
    .where(sql.ref('confirmed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addUniqueConstraint('audit_events_idempotency', ['job_id', 'idempotency_key'])
    .execute();

  await db.schema
    .createTable('notices')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('signer_id', 'text', (c) => c.notNull())
    .addColumn('notice_key', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('planned_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('notices_once', ['job_id', 'signer_id', 'notice_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'notices',
    'audit_events',
    'status_changes',
    'artifacts',
    'documents',
    'signers',
    'signature_jobs',
    'api_keys',
    'organisations',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
