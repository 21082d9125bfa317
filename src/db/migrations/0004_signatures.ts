import type { Kysely } from 'kysely';

/** The facts of each signature: who signed (as their eID named them), how, and when. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signers')
    .addColumn('name', 'text')
    .addColumn('signed_at', 'timestamptz')
    .addColumn('authenticated_at', 'timestamptz')
    .addColumn('authentication_level', 'integer')
    .addColumn('eid_provider', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signers')
    .dropColumn('name')
    .dropColumn('signed_at')
    .dropColumn('authenticated_at')
    .dropColumn('authentication_level')
    .dropColumn('eid_provider')
    .execute();
}
