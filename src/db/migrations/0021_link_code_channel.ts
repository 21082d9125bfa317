import { type Kysely, sql } from 'kysely';

/**
 * The one-time code of a signer link becomes a second factor: it is sent on the signer's request
 * over the channel the link did NOT go by (`code_channel`: 'SMS' or 'EMAIL'), or there is none
 * ('NONE': only one channel exists). Links issued before this carried the code in the notice
 * itself ('NOTICE'); they keep working until the next notice replaces them. Wrong codes no longer
 * block: they push `next_try_at` out. `codes_sent` and `code_sent_at` bound the sends per link.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signer_links')
    .addColumn('code_channel', 'text', (c) =>
      c.notNull().defaultTo('NOTICE').check(sql`code_channel in ('SMS', 'EMAIL', 'NONE', 'NOTICE')`),
    )
    .addColumn('codes_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('code_sent_at', 'timestamptz')
    .addColumn('next_try_at', 'timestamptz')
    .execute();
  // New links always say how their code travels; the default only labels the old ones.
  await db.schema
    .alterTable('signer_links')
    .alterColumn('code_channel', (c) => c.dropDefault())
    .execute();
  await db.schema
    .alterTable('signer_links')
    .alterColumn('code_hmac', (c) => c.dropNotNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Links without a code cannot go back to a schema where every link has one.
  await sql`delete from signer_links where code_hmac is null`.execute(db);
  await db.schema
    .alterTable('signer_links')
    .alterColumn('code_hmac', (c) => c.setNotNull())
    .execute();
  await db.schema
    .alterTable('signer_links')
    .dropColumn('code_channel')
    .dropColumn('codes_sent')
    .dropColumn('code_sent_at')
    .dropColumn('next_try_at')
    .execute();
}
