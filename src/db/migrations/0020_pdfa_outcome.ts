import type { Kysely } from 'kysely';

/**
 * Packaging checks each input's PDF/A claim (src/signing/pdfa.ts). When a document claims PDF/A
 * but is not, the signed PDF is plain PDF 1.7 and the job view says why: the reasons are kept on
 * the document, written by the packaging activity (null: no claim, or the claim held).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('pdfa_not_kept', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('documents').dropColumn('pdfa_not_kept').execute();
}
