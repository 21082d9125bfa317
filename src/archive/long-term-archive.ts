/**
 * The long-term archive: jobs whose signed PAdES is kept up to 50 years, registered when their
 * PAdES is stored, renewed (a new document time-stamp over everything, with the validation data
 * of the previous one) when due, and billed per storage year begun. Every function is safe to
 * run again after a crash: what it did is visible in the rows it checks first.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { longTermStorageUsageEvent, type PriceTable, recordUsageEvents } from '../billing/index.js';
import { recordArchiveDeletion, recordHandOverToArchive, registerArchiveIfOrdered } from '../db/archives.js';
import { recordAuditEvents } from '../db/audit.js';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { SigningContext } from '../signatures/context.js';
import { storedPadesHash } from '../signatures/job-results.js';
import { addXadesArchiveTimeStamp, hasArchiveTimeStamp, renewArchiveTimeStamp } from '../signing/index.js';
import { artifactKey, artifactsFolder, type DocumentStore, documentsFolder } from '../storage/index.js';
import {
  addYears,
  LONG_TERM_STORAGE_YEARS,
  nextRenewalAt,
  type RenewalPolicy,
  storageYearsBegun,
} from './rules.js';

export interface ArchiveDeps {
  db: Db;
  storage: DocumentStore;
  signing: SigningContext;
  /** Renewal interval and the operator's algorithm sunset; the TSA's certificate is looked up. */
  policy: Pick<RenewalPolicy, 'intervalYears' | 'algorithmSunset'>;
}

/** The renewal policy with the expiry of our time-stamping authority's certificate, if we run it. */
function policyOf(deps: {
  signing?: SigningContext | undefined;
  policy: ArchiveDeps['policy'];
}): RenewalPolicy {
  return { ...deps.policy, timeStampCertificateNotAfter: deps.signing?.pki.tsa?.certificate.notAfter };
}

/**
 * Puts a completed job into the archive once its PAdES is stored (`storedAt`: when the PAdES and
 * its document time-stamp were made), if the job ordered long-term storage. The order is the
 * job's own `longTermStorage`, which creation sets for senders that order it for all their jobs
 * (the same flag gave the workflow its 50-year retention). A second call changes nothing.
 */
export async function archiveJobIfOrdered(
  deps: Pick<ArchiveDeps, 'db' | 'policy'> & { signing?: SigningContext | undefined },
  args: { jobId: string; storedAt: Date },
): Promise<void> {
  const { storedAt } = args;
  await registerArchiveIfOrdered(deps.db, args.jobId, {
    stored_at: storedAt,
    last_time_stamp_at: storedAt,
    next_renewal_at: nextRenewalAt(storedAt, policyOf(deps)),
    delete_after: addYears(storedAt, LONG_TERM_STORAGE_YEARS),
  });
}

/** Archives whose renewal is due at `now`, oldest first. */
export async function dueArchives(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('long_term_archives')
    .select('job_id')
    .where('deleted_at', 'is', null)
    .where('next_renewal_at', '<=', now)
    .orderBy('next_renewal_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.job_id);
}

export type RenewalOutcome = 'RENEWED' | 'NOT_DUE' | 'GONE';

/**
 * Renews the job's archive time-stamp if it is due at `now`. The renewed PAdES is stored under
 * its own key first; one transaction then points the job's PAdES row at it and moves the next
 * renewal on, and only then is the old file removed. A crash before the transaction leaves the
 * old PAdES in force (and an unreferenced file the job's deletion removes); a retry after it
 * finds the renewal no longer due.
 */
export async function renewArchive(deps: ArchiveDeps, jobId: string, now: Date): Promise<RenewalOutcome> {
  const { db, storage } = deps;
  const archive = await db
    .selectFrom('long_term_archives')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!archive) return 'GONE';
  if (archive.next_renewal_at > now) return 'NOT_DUE';
  const padesSha256 = await storedPadesHash(db, jobId);
  if (!padesSha256) return 'GONE';
  const oldKey = artifactKey({ jobId, kind: 'PADES', signerId: '', sha256: padesSha256 });
  const current = await storage.get(oldKey, padesSha256);
  if (!current) return 'GONE';

  // Off the event loop when the process has a signing pool (the worker does), else in it.
  const renewed = deps.signing.pool
    ? await deps.signing.pool.renewArchiveTimeStamp(current)
    : await renewArchiveTimeStamp(current, deps.signing);
  const sha256 = createHash('sha256').update(renewed).digest('hex');
  const newKey = artifactKey({ jobId, kind: 'PADES', signerId: '', sha256 });
  await storage.put(newKey, renewed);
  // Each signer's XAdES gets its next archive time-stamp in the same run (B-LTA).
  const xades = await stampSignerXades(deps, jobId, { skipStamped: false });

  const applied = await db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('artifacts')
      .set({ sha256 })
      .where('job_id', '=', jobId)
      .where('signer_id', '=', '')
      .where('kind', '=', 'PADES')
      .where('sha256', '=', padesSha256)
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return false;
    await swapXades(tx, jobId, xades);
    const renewals = archive.renewals + 1;
    await tx
      .updateTable('long_term_archives')
      .set({
        last_time_stamp_at: now,
        next_renewal_at: nextRenewalAt(now, policyOf(deps)),
        renewals,
      })
      .where('job_id', '=', jobId)
      .execute();
    await recordAuditEvents(tx, jobId, [
      {
        idempotencyKey: `archive-renewal-${renewals}`,
        at: now,
        actor: 'system',
        event: 'ARCHIVE_TIME_STAMP_RENEWED',
        details: { renewal: renewals, sha256, xades: xades.filter((x) => x.applied).length },
      },
    ]);
    return true;
  });
  // Someone renewed it meanwhile (two sweeps at once): theirs counts, these files go.
  await storage.delete(applied ? oldKey : newKey);
  for (const swap of xades) await storage.delete(applied && swap.applied ? swap.oldKey : swap.newKey);
  return applied ? 'RENEWED' : 'NOT_DUE';
}

interface XadesSwap {
  signerId: string;
  oldSha256: string;
  sha256: string;
  oldKey: string;
  newKey: string;
  /** Set by swapXades: whether the row still named the old version and now names the new one. */
  applied?: boolean;
}

/**
 * Adds an archive time-stamp (XAdES B-LTA) to each stored signer XAdES of the job and stores the
 * new versions under their own keys; swapXades then points the rows at them. `skipStamped`
 * leaves out any XAdES that already has one (the hand-over, repeated after a crash, adds nothing).
 */
async function stampSignerXades(
  deps: Pick<ArchiveDeps, 'db' | 'storage' | 'signing'>,
  jobId: string,
  options: { skipStamped: boolean },
): Promise<XadesSwap[]> {
  const rows = await deps.db
    .selectFrom('artifacts')
    .select(['signer_id', 'sha256'])
    .where('job_id', '=', jobId)
    .where('kind', '=', 'XADES')
    .where('deleted_at', 'is', null)
    .orderBy('signer_id')
    .execute();
  const swaps: XadesSwap[] = [];
  for (const row of rows) {
    const oldKey = artifactKey({ jobId, kind: 'XADES', signerId: row.signer_id, sha256: row.sha256 });
    const current = await deps.storage.get(oldKey, row.sha256);
    if (!current) continue;
    if (options.skipStamped && hasArchiveTimeStamp(current)) continue;
    const stamped = await addXadesArchiveTimeStamp(current, deps.signing);
    const sha256 = createHash('sha256').update(stamped).digest('hex');
    const newKey = artifactKey({ jobId, kind: 'XADES', signerId: row.signer_id, sha256 });
    await deps.storage.put(newKey, stamped);
    swaps.push({ signerId: row.signer_id, oldSha256: row.sha256, sha256, oldKey, newKey });
  }
  return swaps;
}

/** Points each XAdES row at its stamped version, if it still names the version stamped. */
async function swapXades(tx: Transaction<Database>, jobId: string, swaps: XadesSwap[]): Promise<void> {
  for (const swap of swaps) {
    const updated = await tx
      .updateTable('artifacts')
      .set({ sha256: swap.sha256 })
      .where('job_id', '=', jobId)
      .where('signer_id', '=', swap.signerId)
      .where('kind', '=', 'XADES')
      .where('sha256', '=', swap.oldSha256)
      .executeTakeFirst();
    swap.applied = updated.numUpdatedRows === 1n;
  }
}

/**
 * Bills every storage year begun by `now` and not yet billed, for archives still kept. Each year
 * has its own idempotency key, so a repeated sweep bills nothing twice. Returns events recorded.
 */
export async function billStorageYears(
  deps: { db: Db; prices: PriceTable },
  now: Date,
  limit = 500,
): Promise<number> {
  const rows = await deps.db
    .selectFrom('long_term_archives')
    .select(['job_id', 'org_number', 'stored_at', 'storage_years_billed'])
    .where('deleted_at', 'is', null)
    .where('storage_years_billed', '<', LONG_TERM_STORAGE_YEARS)
    .where('stored_at', '<=', now)
    .orderBy('stored_at')
    .limit(limit)
    .execute();
  let recorded = 0;
  for (const row of rows) {
    const years = storageYearsBegun(row.stored_at, now);
    if (years <= row.storage_years_billed) continue;
    const events = [];
    for (let year = row.storage_years_billed + 1; year <= years; year++) {
      events.push(
        longTermStorageUsageEvent({
          orgNumber: row.org_number,
          jobId: row.job_id,
          storageYear: year,
          beganAt: addYears(row.stored_at, year - 1),
        }),
      );
    }
    recorded += await recordUsageEvents(deps.db, events, deps.prices);
    await deps.db
      .updateTable('long_term_archives')
      .set({ storage_years_billed: years })
      .where('job_id', '=', row.job_id)
      .where('storage_years_billed', '<', years)
      .execute();
  }
  return recorded;
}

/**
 * The job's workflow hands a completed long-term job over and ends: from here the archive keeps,
 * renews, bills and finally deletes it. Registers the job if packaging did not (the PAdES stored
 * without signing material, in life-cycle tests), records the hand-over and the retention date in
 * the read model, and returns when the documents go. Safe to repeat.
 */
export async function handOverToArchive(
  deps: Pick<ArchiveDeps, 'db' | 'policy'> & {
    signing?: SigningContext | undefined;
    storage?: DocumentStore | undefined;
  },
  jobId: string,
  now: Date,
): Promise<{ deleteAfter: Date }> {
  await archiveJobIfOrdered(deps, { jobId, storedAt: now });
  // The signers' XAdES are brought to B-LTA as they enter the archive (with signing material).
  const { signing, storage } = deps;
  const xades =
    signing && storage
      ? await stampSignerXades({ ...deps, signing, storage }, jobId, { skipStamped: true })
      : [];
  const result = await deps.db.transaction().execute(async (tx) => {
    const archive = await tx
      .selectFrom('long_term_archives')
      .select('delete_after')
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    await swapXades(tx, jobId, xades);
    await recordHandOverToArchive(tx, jobId, archive.delete_after, now);
    return { deleteAfter: archive.delete_after };
  });
  for (const swap of xades) await storage?.delete(swap.applied ? swap.oldKey : swap.newKey);
  return result;
}

/** Archives whose 50 years are over at `now`, oldest first. */
export async function expiredArchives(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('long_term_archives')
    .select('job_id')
    .where('deleted_at', 'is', null)
    .where('delete_after', '<=', now)
    .orderBy('delete_after')
    .limit(limit)
    .execute();
  return rows.map((r) => r.job_id);
}

/**
 * Deletes an archived job's documents and results: at the end of long-term storage (the daily
 * run) or on the sender's request once the job's workflow has ended. False when the job has no
 * open archive (nothing of this kind to delete). Safe to repeat.
 */
export async function deleteArchivedJob(
  deps: Pick<ArchiveDeps, 'db' | 'storage'>,
  jobId: string,
  now: Date,
): Promise<boolean> {
  const open = await deps.db
    .selectFrom('long_term_archives')
    .select('job_id')
    .where('job_id', '=', jobId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!open) return false;
  await deleteJobFiles(deps, jobId, now);
  await deps.db.transaction().execute(async (tx) => {
    await recordArchiveDeletion(tx, jobId, now);
  });
  return true;
}

/**
 * Deletes the documents and results of a job: the rows are marked first, so nothing offers bytes
 * that are about to go, then the job's folders go from the store whole (with any bytes a crash
 * left unnamed), and its archive entry closes. A retry repeats all of it harmlessly.
 */
export async function deleteJobFiles(
  deps: Pick<ArchiveDeps, 'db' | 'storage'>,
  jobId: string,
  now: Date,
): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('documents')
      .set({ deleted_at: sql<Date>`now()` })
      .where('job_id', '=', jobId)
      .where('deleted_at', 'is', null)
      .execute();
    await tx
      .updateTable('artifacts')
      .set({ deleted_at: sql<Date>`now()` })
      .where('job_id', '=', jobId)
      .where('deleted_at', 'is', null)
      .execute();
  });
  await deps.storage.deleteFolder(documentsFolder(jobId));
  await deps.storage.deleteFolder(artifactsFolder(jobId));
  await closeArchive(deps.db, jobId, now);
}

/** The archive entry ends when the job's documents are deleted (50 years on, or on request). */
export async function closeArchive(db: Db, jobId: string, at: Date): Promise<void> {
  await db
    .updateTable('long_term_archives')
    .set({ deleted_at: at })
    .where('job_id', '=', jobId)
    .where('deleted_at', 'is', null)
    .execute();
}
