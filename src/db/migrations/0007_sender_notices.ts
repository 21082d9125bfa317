import type { Kysely } from 'kysely';

/**
 * Sender notices by e-mail: where an organisation wants them, in which language; and whether a
 * job's results were ever downloaded (the notice before documents expire goes only if not).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('notice_email', 'text')
    .addColumn('notice_locale', 'text', (c) => c.notNull().defaultTo('no'))
    .execute();
  await db.schema.alterTable('signature_jobs').addColumn('results_downloaded_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signature_jobs').dropColumn('results_downloaded_at').execute();
  await db.schema
    .alterTable('organisations')
    .dropColumn('notice_email')
    .dropColumn('notice_locale')
    .execute();
}
