import type { Kysely } from 'kysely';

/**
 * The sender portal keeps the files of a form that came back with mistakes, so the sender need
 * not choose them again: one row per file, for the browser session that sent it, for one hour
 * (rows past `expires_at` are removed whenever new ones are kept).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kept_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_tag', 'text', (c) => c.notNull())
    .addColumn('org_number', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kept_uploads_expiry').on('kept_uploads').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('kept_uploads').execute();
}
