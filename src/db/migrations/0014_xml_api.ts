import { type Kysely, sql } from 'kysely';

/**
 * The national service's XML API names jobs by an `xs:long`: every job gets a numeric id from a
 * sequence (existing jobs too, in creation order), unique, used only in XML answers and URLs.
 * `broker_authorisations`: a sender lets another organisation (a broker) send jobs in its name
 * over the XML API; without a row a broker's request is refused with BROKER_NOT_AUTHORIZED.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence signature_jobs_numeric_id_seq`.execute(db);
  await sql`alter table signature_jobs add column numeric_id bigint`.execute(db);
  await sql`update signature_jobs set numeric_id = s.n from (
      select id, nextval('signature_jobs_numeric_id_seq') as n from signature_jobs order by created_at, id
    ) s where signature_jobs.id = s.id`.execute(db);
  await sql`alter table signature_jobs alter column numeric_id set default nextval('signature_jobs_numeric_id_seq')`.execute(
    db,
  );
  await sql`alter table signature_jobs alter column numeric_id set not null`.execute(db);
  await sql`alter sequence signature_jobs_numeric_id_seq owned by signature_jobs.numeric_id`.execute(db);
  await sql`create unique index signature_jobs_numeric_id on signature_jobs (numeric_id)`.execute(db);

  await db.schema
    .createTable('broker_authorisations')
    .addColumn('org_number', 'text', (c) => c.notNull().references('organisations.org_number'))
    .addColumn('broker_org_number', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('broker_authorisations_pk', ['org_number', 'broker_org_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('broker_authorisations').execute();
  await sql`alter table signature_jobs drop column numeric_id`.execute(db);
}
