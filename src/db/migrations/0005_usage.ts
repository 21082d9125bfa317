import { type Kysely, sql } from 'kysely';

/**
 * Usage metering (issue 8): one row per billable event, priced when recorded. The unit price and
 * currency live on the row so a later change of the price table never rewrites billed history.
 * No foreign key to the job: billing records outlive a job's deletion on request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('org_number', 'text', (c) => c.notNull().references('organisations.org_number'))
    .addColumn('job_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('unit_price_ore', 'integer', (c) => c.notNull().check(sql`unit_price_ore >= 0`))
    // Stored, not computed at report time, and checked: the report sums amounts as they were billed.
    .addColumn('amount_ore', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // What is billed (e.g. `${jobId}:${signerId}:SIGNING`): a retried activity's insert is a no-op.
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addCheckConstraint('usage_events_amount', sql`amount_ore = quantity::bigint * unit_price_ore`)
    .execute();
  // The quarterly report reads a time range, for all organisations or one.
  await db.schema.createIndex('usage_events_occurred').on('usage_events').columns(['occurred_at']).execute();
  await db.schema
    .createIndex('usage_events_org_occurred')
    .on('usage_events')
    .columns(['org_number', 'occurred_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_events').execute();
}
