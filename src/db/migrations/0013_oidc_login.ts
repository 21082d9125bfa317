import { type Kysely, sql } from 'kysely';

/**
 * OpenID Connect login: each session keeps what the provider said of the login (`acr`, `amr`,
 * `sid`) and the id_token for logging out of the provider too; `service_secrets` holds secrets
 * every API process shares, such as the key that signs the login-transaction cookie.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('portal_sessions').addColumn('login', 'jsonb').execute();
  await db.schema
    .createTable('service_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('service_secrets').execute();
  await db.schema.alterTable('portal_sessions').dropColumn('login').execute();
}
