/**
 * Packaging of a completed job's results. Idempotent: the artifacts table holds one result of each
 * kind per job, so a retry after a crash finds the stored one and returns it.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../src/db/index.js';
import type { SigningContext } from '../src/signatures/context.js';
import { buildJobPades, ResultsUnprocessableError } from '../src/signatures/job-results.js';

/** The SHA-256 of the job's stored PAdES, if one is stored. */
async function storedPadesHash(db: Db, jobId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('artifacts')
    .select('sha256')
    .where('job_id', '=', jobId)
    .where('signer_id', '=', '')
    .where('kind', '=', 'PADES')
    .executeTakeFirst();
  return row?.sha256;
}

export async function packageSignedJob(db: Db, signing: SigningContext | undefined, jobId: string) {
  const existing = await storedPadesHash(db, jobId);
  if (existing !== undefined) return { padesSha256: existing };

  if (!signing) {
    // Without a signing setup (unit and workflow tests of the life cycle) the step is recorded only.
    await db
      .insertInto('audit_events')
      .values({
        job_id: jobId,
        idempotency_key: 'packaging',
        at: new Date(),
        actor: 'system',
        event: 'PACKAGING_RECORDED',
        details: JSON.stringify({ note: 'no signing setup configured' }),
      })
      .onConflict((oc) => oc.columns(['job_id', 'idempotency_key']).doNothing())
      .execute();
    return { padesSha256: '' };
  }

  let pades: Buffer;
  try {
    pades = Buffer.from(await buildJobPades(db, signing, jobId));
  } catch (err) {
    // A document that cannot be processed fails the job for good instead of retrying for ever.
    if (err instanceof ResultsUnprocessableError) {
      throw ApplicationFailure.nonRetryable(err.message, 'DocumentUnprocessable');
    }
    throw err;
  }
  const sha256 = createHash('sha256').update(pades).digest('hex');
  await db
    .insertInto('artifacts')
    .values({ job_id: jobId, signer_id: '', kind: 'PADES', content: pades, sha256 })
    .onConflict((oc) => oc.columns(['job_id', 'signer_id', 'kind']).doNothing())
    .execute();
  // A concurrent attempt may have stored first: the stored one is the result.
  return { padesSha256: (await storedPadesHash(db, jobId)) ?? sha256 };
}
