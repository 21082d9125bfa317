/**
 * The signer table (`signers`): the reads and writes of a job's signers beside the read model's
 * (src/db/read-model.ts) and the whole-job reads (src/db/job-reads.ts).
 */
import type { Db } from './index.js';

/** The signers of a job (some of them, when `signerIds` is given) as their notices need them. */
export async function noticeSigners(db: Db, jobId: string, signerIds?: string[]) {
  let q = db
    .selectFrom('signers')
    .innerJoin('signature_jobs', 'signature_jobs.id', 'signers.job_id')
    .innerJoin('organisations', 'organisations.org_number', 'signature_jobs.org_number')
    .select([
      'signers.id',
      'signers.personal_identification_number',
      'signers.on_behalf_of',
      'signers.email',
      'signers.mobile',
      'signers.status',
      'signers.language',
      'organisations.sector',
      'organisations.name as sender_name',
      'signature_jobs.request',
      'signature_jobs.title',
      'signature_jobs.org_number',
    ])
    .where('signers.job_id', '=', jobId);
  if (signerIds) q = q.where('signers.id', 'in', signerIds);
  return q.orderBy('signers.position').execute();
}

/** The signers on their own behalf with an identity number: whose signed copy goes to a mailbox. */
export async function selfSignersWithIdentity(db: Db, jobId: string) {
  return db
    .selectFrom('signers')
    .select(['id', 'personal_identification_number', 'email'])
    .where('job_id', '=', jobId)
    .where('on_behalf_of', '=', 'SELF')
    .where('personal_identification_number', 'is not', null)
    .execute();
}

/** Each signer's status (in no particular order). */
export async function signerStatuses(db: Db, jobId: string) {
  return db.selectFrom('signers').select('status').where('job_id', '=', jobId).execute();
}

/** One signer's status as the read model mirrors it; undefined for no such signer of the job. */
export async function mirroredSignerStatus(db: Db, jobId: string, signerId: string) {
  return db
    .selectFrom('signers')
    .select('status')
    .where('id', '=', signerId)
    .where('job_id', '=', jobId)
    .executeTakeFirst();
}

/** Each signer's signature type and remote signing service, for billing. */
export async function signerSignatureTypes(db: Db, jobId: string) {
  return db
    .selectFrom('signers')
    .select(['id', 'signature_type', 'signing_provider'])
    .where('job_id', '=', jobId)
    .execute();
}

/** The signing order of a signer (of the group it is in); undefined for no such signer. */
export async function signingOrderOf(db: Pick<Db, 'selectFrom'>, signerId: string) {
  return db.selectFrom('signers').select('signing_order').where('id', '=', signerId).executeTakeFirst();
}

/** What a signer's XAdES says of them; throws for no such signer of the job. */
export async function signerForStatement(db: Db, jobId: string, signerId: string) {
  return db
    .selectFrom('signers')
    .select(['signature_type', 'custom_identifier', 'personal_identification_number'])
    .where('id', '=', signerId)
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
}

/** A job's signer rows in the sender's order. */
export async function signerRows(db: Db, jobId: string) {
  return db.selectFrom('signers').selectAll().where('job_id', '=', jobId).orderBy('position').execute();
}

/** Who signed, as their login said, and when (with the remote signing service, if any). */
export async function recordSignerIdentity(
  db: Db,
  signerId: string,
  identity: {
    name: string | null;
    signedAt: Date;
    authenticatedAt: Date | string | null;
    authenticationLevel: number | null;
    eidProvider: string | null;
    signingProvider: string | null;
  },
): Promise<void> {
  await db
    .updateTable('signers')
    .set({
      name: identity.name,
      signed_at: identity.signedAt,
      authenticated_at: identity.authenticatedAt,
      authentication_level: identity.authenticationLevel,
      eid_provider: identity.eidProvider,
      signing_provider: identity.signingProvider,
    })
    .where('id', '=', signerId)
    .execute();
}

/** Forgets what recordSignerIdentity kept, unless the signer's signature counted after all. */
export async function clearSignerIdentity(db: Db, signerId: string): Promise<void> {
  await db
    .updateTable('signers')
    .set({
      name: null,
      signed_at: null,
      authenticated_at: null,
      authentication_level: null,
      eid_provider: null,
      signing_provider: null,
    })
    .where('id', '=', signerId)
    .where('status', '!=', 'SIGNED')
    .execute();
}

/** Keeps the signer's chosen notice language; whether it changed. */
export async function setSignerLanguage(
  db: Db,
  jobId: string,
  signerId: string,
  language: string,
): Promise<boolean> {
  const result = await db
    .updateTable('signers')
    .set({ language })
    .where('id', '=', signerId)
    .where('job_id', '=', jobId)
    .where('language', '<>', language)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
