import { type Kysely, sql } from 'kysely';

/**
 * `organisations.rate_limit_per_second`: the sender API's limit for this sender, set by the
 * operator (`npm run cli -- orgs rate-limit <org> <n>|default`, docs/operations.md#admin-cli) for
 * a big customer. Null: the configured default (RATE_LIMIT_PER_SECOND); 0: no limit for this
 * sender (an internal system the operator trusts). Never negative.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('rate_limit_per_second', 'integer', (c) => c.check(sql`rate_limit_per_second >= 0`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').dropColumn('rate_limit_per_second').execute();
}
