import type { Kysely } from 'kysely';

/**
 * A document's page count, as the inspection at creation counted it, so the sender's job page can
 * say how long each document is without reading the bytes again. Existing documents keep null (the
 * page then gives the size only).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('page_count', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('documents').dropColumn('page_count').execute();
}
