/**
 * The XML API's numeric job ids (migration 0014) and how signers were addressed: the two facts
 * its answers need that the JSON views do not carry.
 */
import type { Db } from '../../src/db/index.js';
import type { SignerAddress } from './responses.js';

/** A numeric id from a URL (digits only, fits a bigint) to the job's id; null for anything else. */
export async function jobIdOfNumericId(db: Db, numericId: string): Promise<string | null> {
  if (!/^[1-9][0-9]{0,17}$/.test(numericId)) return null;
  const row = await db
    .selectFrom('signature_jobs')
    .select('id')
    .where('numeric_id', '=', numericId as never)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function numericIdOf(db: Db, jobId: string): Promise<string> {
  const row = await db
    .selectFrom('signature_jobs')
    .select('numeric_id')
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
  return String(row.numeric_id);
}

/** Each signer of the job by id, in the sender's order, as the sender addressed them. */
export async function signerAddresses(db: Db, jobId: string): Promise<Map<string, SignerAddress>> {
  const rows = await db
    .selectFrom('signers')
    .select(['id', 'personal_identification_number', 'custom_identifier', 'email', 'mobile'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        personalIdentificationNumber: r.personal_identification_number,
        customIdentifier: r.custom_identifier,
        email: r.email,
        mobile: r.mobile,
      },
    ]),
  );
}
