import type { Kysely } from 'kysely';

/**
 * `organisations.fairness_weight`: the sender's share of the workers when several senders' tasks
 * wait on the task queue (docs/scaling.md). 1 is an equal share; the operator raises it for a
 * sender that pays for more (`npm run cli -- orgs weight <org> <n>`). Every job started from then
 * on carries it; the Temporal server clamps it to 0.001..1000, and so does the CLI.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('fairness_weight', 'real', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').dropColumn('fairness_weight').execute();
}
