import { type Kysely, sql } from 'kysely';

/**
 * The hourly retention sweep (docs/workflow.md) looks for ended jobs whose retention deadline has
 * passed and whose documents are still there: a partial index holds exactly those, so the sweep
 * reads a few rows however many jobs the service has kept or deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('signature_jobs_retention_due')
    .on('signature_jobs')
    .column('retention_until')
    .where(sql.ref('documents_deleted_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('signature_jobs_retention_due').execute();
}
