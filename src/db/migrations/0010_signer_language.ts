import { type Kysely, sql } from 'kysely';

/**
 * The language of each signer's notices. A column of the signer rather than only a field of the
 * stored request, because the signer may change it later on the signing page. Existing signers
 * keep getting Norwegian, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signers')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('NB').check(sql`language in ('NB', 'EN')`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signers').dropColumn('language').execute();
}
