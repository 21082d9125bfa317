/**
 * Packaging of a completed job's results. Idempotent: the artifacts table holds one result of each
 * kind per job, so a retry after a crash finds the stored one and returns it. The bytes go to the
 * document store before the row names them; an attempt that loses the race removes its own.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { recordAuditEvents } from '../src/db/audit.js';
import type { Db } from '../src/db/index.js';
import type { Logger } from '../src/log.js';
import { activityJobLogger } from '../src/observability/logging.js';
import { timed, type WorkerMetrics } from '../src/observability/metrics.js';
import type { SigningContext } from '../src/signatures/context.js';
import {
  buildJobPades,
  ResultsUnprocessableError,
  recordPdfAOutcome,
  storedPadesHash,
} from '../src/signatures/job-results.js';
import { artifactKey, type DocumentStore } from '../src/storage/index.js';

export async function packageSignedJob(
  deps: {
    db: Db;
    storage: DocumentStore;
    signing: SigningContext | undefined;
    /** Times each packaging that builds a result (not a retry finding the stored one). */
    metrics?: Pick<WorkerMetrics, 'packagingDuration'> | undefined;
    /** Logs each packaging done, with its duration, job id and workflow id. */
    log?: Logger | undefined;
  },
  jobId: string,
) {
  const { db, signing } = deps;
  const existing = await storedPadesHash(db, jobId);
  if (existing !== undefined) return { padesSha256: existing };

  if (!signing) {
    // Without a signing setup (unit and workflow tests of the life cycle) the step is recorded only.
    await recordAuditEvents(db, jobId, [
      {
        idempotencyKey: 'packaging',
        at: new Date(),
        actor: 'system',
        event: 'PACKAGING_RECORDED',
        details: { note: 'no signing setup configured' },
      },
    ]);
    return { padesSha256: '' };
  }

  const started = performance.now();
  const build = () => buildAndStore({ db, storage: deps.storage, signing }, jobId);
  const result = deps.metrics ? await timed(deps.metrics.packagingDuration, build) : await build();
  if (deps.log) {
    activityJobLogger(deps.log, jobId, { durationMs: Math.round(performance.now() - started) }).info(
      'job packaged',
    );
  }
  return result;
}

/** Builds the job's PAdES (validation, signatures, seal, time-stamp) and stores it once. */
async function buildAndStore(
  deps: { db: Db; storage: DocumentStore; signing: SigningContext },
  jobId: string,
) {
  const { db, signing } = deps;
  let pades: Buffer;
  try {
    const built = await buildJobPades({ db, storage: deps.storage, signing }, jobId);
    pades = Buffer.from(built.pdf);
    // What the job view shows: which documents lost their PDF/A claim, and why.
    await recordPdfAOutcome(db, jobId, built.pdfANotKept);
  } catch (err) {
    // A document that cannot be processed fails the job for good instead of retrying for ever.
    if (err instanceof ResultsUnprocessableError) {
      throw ApplicationFailure.nonRetryable(err.message, 'DocumentUnprocessable');
    }
    throw err;
  }
  const sha256 = createHash('sha256').update(pades).digest('hex');
  const key = artifactKey({ jobId, kind: 'PADES', signerId: '', sha256 });
  // A crash between these two leaves bytes no row names; deleting the job's files removes them.
  await deps.storage.put(key, pades);
  await db
    .insertInto('artifacts')
    .values({ job_id: jobId, signer_id: '', kind: 'PADES', sha256 })
    .onConflict((oc) => oc.columns(['job_id', 'signer_id', 'kind']).doNothing())
    .execute();
  // A concurrent attempt may have stored first: the stored one is the result, ours goes again.
  const stored = (await storedPadesHash(db, jobId)) ?? sha256;
  if (stored !== sha256) await deps.storage.delete(key);
  return { padesSha256: stored };
}
