import type { Kysely } from 'kysely';

/**
 * An advanced signature at a remote signing service (SIGNING_KEYS=csc) spans a trip to the
 * provider: between the person pressing "sign" and coming back, the prepared XAdES, the digest the
 * person approves there and the PKCE verifier wait here, keyed by a hash of the OAuth `state`, for
 * the browser session that started it, for ten minutes (expired rows go when new ones are made).
 * Nothing here is a signature: the signer stays waiting until the callback completes one.
 *
 * The provider that made a signer's advanced signature is kept on the signer, and on the usage
 * event of its add-on, so the price list can bill each signature by its provider.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('remote_signings')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('signature_jobs.id').onDelete('cascade'))
    .addColumn('signer_id', 'text', (c) => c.notNull())
    .addColumn('session_tag', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('certificates_pem', 'text', (c) => c.notNull())
    .addColumn('prepared_xml', 'text', (c) => c.notNull())
    .addColumn('digest_hex', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('remote_signings_expiry').on('remote_signings').column('expires_at').execute();
  await db.schema.alterTable('signers').addColumn('signing_provider', 'text').execute();
  await db.schema.alterTable('usage_events').addColumn('provider', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('usage_events').dropColumn('provider').execute();
  await db.schema.alterTable('signers').dropColumn('signing_provider').execute();
  await db.schema.dropTable('remote_signings').execute();
}
