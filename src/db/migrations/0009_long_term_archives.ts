import { type Kysely, sql } from 'kysely';

/**
 * Long-term storage: senders that order it for all their jobs, and the archive of jobs kept for
 * up to 50 years, with when each one's document time-stamp was last renewed and is next due.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('long_term_storage', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createTable('long_term_archives')
    .addColumn('job_id', 'text', (c) => c.primaryKey().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('org_number', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_time_stamp_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_renewal_at', 'timestamptz', (c) => c.notNull())
    .addColumn('renewals', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('storage_years_billed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delete_after', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('long_term_archives_due')
    .on('long_term_archives')
    .column('next_renewal_at')
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('long_term_archives').execute();
  await db.schema.alterTable('organisations').dropColumn('long_term_storage').execute();
}
