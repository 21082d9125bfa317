/**
 * Long-term storage under time skipping: a job whose sender orders it is archived when its PAdES
 * is stored and its workflow ends (handed to the archive), kept past the 40 days, its document
 * time-stamp renewed by the daily archive run once 3 years have passed (not before), each storage
 * year billed once however often the run goes, and deleted by the run once its 50 years are over.
 * The schedule that starts the run is checked on the real Temporal dev server.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARCHIVE_RENEWAL_CRON,
  ARCHIVE_RENEWAL_SCHEDULE_ID,
  ARCHIVE_RENEWAL_WORKFLOW_TYPE,
  DEFAULT_RENEWAL_INTERVAL_YEARS,
  ensureArchiveRenewalSchedule,
  handOverToArchive,
} from '../../src/archive/index.js';
import { readOwnedJob } from '../../src/db/job-reads.js';
import { workflowIdForJob } from '../../src/job/model.js';
import { parseJobRequest } from '../../src/job/schema.js';
import { createSignatureJob } from '../../src/services/create-job.js';
import { deleteJobDocuments } from '../../src/services/delete-documents.js';
import { JobConflictError } from '../../src/services/job-service.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { createSigningContext, type SigningContext } from '../../src/signatures/context.js';
import { createSignerSignature } from '../../src/signatures/job-results.js';
import {
  trustAnchorsPem,
  type VerificationReport,
  verifyPdfSignatures,
  verifyXades,
} from '../../src/signing/index.js';
import { artifactKey, PostgresDocumentStore } from '../../src/storage/index.js';
import { createSignatureWorker } from '../../worker/worker.js';
import { signUpdate } from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { recording, saveHistory } from '../helpers/histories.js';
import { startTestNotifications } from '../helpers/notifications.js';
import { samplePdf } from '../helpers/requests.js';
import { devServerEnv, timeSkippingEnv, workflowBundle } from '../helpers/temporal.js';
import { scratchDir, xmlsecVerify } from '../signing/validators.js';

const DAY = 24 * 60 * 60 * 1000;
const YEAR = 365 * DAY;
const ORG = '987654325';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let notices: Awaited<ReturnType<typeof startTestNotifications>>;
let signing: SigningContext;
let storage: PostgresDocumentStore;
let pkiDir: string;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `archive-${randomUUID()}`;

beforeAll(async () => {
  [env, t] = await Promise.all([timeSkippingEnv(), createTestDatabase()]);
  pkiDir = await mkdtemp(join(tmpdir(), 'esign-pki-'));
  signing = await createSigningContext({ pkiDir, publicUrl: 'http://localhost:3000' });
  storage = new PostgresDocumentStore(t.db);
  notices = await startTestNotifications(t.db);
  worker = await createSignatureWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: { db: t.db, signing, storage, notifications: notices.adapters, publicUrl: 'http://localhost:3000' },
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await notices?.stop();
  await t?.db.destroy();
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

/** Creates a job through the service, as the API does, for a sender that orders storage. */
async function createJob(): Promise<string> {
  const parsed = parseJobRequest(
    'portal',
    {
      title: 'Deed of sale',
      documents: [{ title: 'Deed', fileName: 'deed.pdf', mimeType: 'application/pdf' }],
      signers: [{ email: 'buyer@example.com' }],
    },
    { sector: 'PUBLIC' },
    new Date(await env.currentTimeMs()),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  expect(parsed.job.longTermStorage).toBe(false);
  const { jobId } = await createSignatureJob(
    { db: t.db, temporal: env.client, taskQueue, storage },
    {
      org: ORG,
      flow: 'portal',
      job: parsed.job,
      files: new Map([['deed.pdf', await samplePdf('Deed of sale')]]),
    },
  );
  return jobId;
}

async function signAll(jobId: string) {
  const handle = env.client.workflow.getHandle(workflowIdForJob(jobId));
  await env.sleep(60_000);
  const signers = await t.db.selectFrom('signers').select('id').where('job_id', '=', jobId).execute();
  for (const { id } of signers) {
    await createSignerSignature({ db: t.db, storage, signing }, jobId, id, {
      name: 'Kari Nordmann',
      authenticationLevel: 4,
      authenticatedAt: new Date(await env.currentTimeMs()),
      eidProvider: 'test eID',
    });
    await handle.executeUpdate(signUpdate, { args: [{ signerId: id, authenticationLevel: 4 }] });
  }
  return handle;
}

/** Each signer's stored XAdES. */
async function storedXades(jobId: string): Promise<Buffer[]> {
  const rows = await t.db
    .selectFrom('artifacts')
    .select(['signer_id', 'sha256'])
    .where('job_id', '=', jobId)
    .where('kind', '=', 'XADES')
    .orderBy('signer_id')
    .execute();
  return Promise.all(
    rows.map(
      async (r) =>
        (await storage.get(
          artifactKey({ jobId, kind: 'XADES', signerId: r.signer_id, sha256: r.sha256 }),
          r.sha256,
        ))!,
    ),
  );
}

/** Every stored XAdES holds `count` archive time-stamps, verifies in xmlsec1 and is B-LTA to us. */
async function expectXadesArchived(jobId: string, count: number): Promise<void> {
  const all = await storedXades(jobId);
  expect(all.length).toBeGreaterThan(0);
  const dir = scratchDir('archive-xades');
  for (const xml of all) {
    expect(xmlsecVerify(dir, xml, trustAnchorsPem(signing.pki))).toMatch(/^OK$/m);
    const report = await verifyXades(xml, signing.pki.roots);
    expect(report.signatures[0]!.problems).toEqual([]);
    expect(report.signatures[0]).toMatchObject({ level: 'B-LTA', archiveTimeStamps: count, valid: true });
  }
}

async function storedPades(jobId: string): Promise<Buffer> {
  const row = await t.db
    .selectFrom('artifacts')
    .select('sha256')
    .where('job_id', '=', jobId)
    .where('kind', '=', 'PADES')
    .executeTakeFirstOrThrow();
  const bytes = await storage.get(
    artifactKey({ jobId, kind: 'PADES', signerId: '', sha256: row.sha256 }),
    row.sha256,
  );
  return bytes!;
}

const documentTimeStamps = (r: VerificationReport) =>
  r.signatures.filter((s) => s.kind === 'document-timestamp').length;

/**
 * One archive run at the current (skipped-to) time. Through a plain client: the test
 * environment's own client lets time skip while it waits, and timers of other workflows would
 * then be reached in the middle of the run.
 */
let lastRun: WorkflowHandle | undefined;
async function runArchive() {
  lastRun = await new Client({ connection: env.connection }).workflow.start(ARCHIVE_RENEWAL_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `archive-run-${randomUUID()}`,
    args: [],
  });
  return (await lastRun.result()) as { renewed: number; billed: number; deleted: number };
}

/** The job's documents not deleted. */
async function liveDocuments(jobId: string): Promise<number> {
  const rows = await t.db
    .selectFrom('documents')
    .select('id')
    .where('job_id', '=', jobId)
    .where('deleted_at', 'is', null)
    .execute();
  return rows.length;
}

async function storageYearsBilled(jobId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('usage_events')
    .select('idempotency_key')
    .where('job_id', '=', jobId)
    .where('kind', '=', 'LONG_TERM_STORAGE_YEAR')
    .orderBy('idempotency_key')
    .execute();
  return rows.map((r) => r.idempotency_key);
}

describe('long-term storage', () => {
  it('a sender ordering it: archived, renewed after 3 years (not before), each year billed once', async () => {
    await upsertOrganisation(t.db, { orgNumber: ORG, name: 'Statens kartverk', sector: 'PUBLIC' });
    await t.db
      .updateTable('organisations')
      .set({ long_term_storage: true })
      .where('org_number', '=', ORG)
      .execute();

    const jobId = await createJob();
    const stored = await t.db
      .selectFrom('signature_jobs')
      .select('request')
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect((stored.request as { longTermStorage: boolean }).longTermStorage).toBe(true);

    const handle = await signAll(jobId);
    await env.sleep(60_000);
    // Handed to the archive, the job's workflow has ended; the read model shows the job.
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const job = (await readOwnedJob(t.db, ORG, 'portal', jobId))!;
    expect(job.job.status).toBe('COMPLETED_SUCCESSFULLY');
    // Kept 50 years, not 40 days.
    expect(job.job.retentionUntil!.getTime() - (await env.currentTimeMs())).toBeGreaterThan(49 * YEAR);
    const archive = await t.db
      .selectFrom('long_term_archives')
      .selectAll()
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(archive.renewals).toBe(0);
    // The signers' XAdES entered the archive as B-LTA: one archive time-stamp each.
    await expectXadesArchived(jobId, 1);
    // A repeated hand-over (an activity retried after a crash) adds no second archive time-stamp.
    await handOverToArchive(
      { db: t.db, storage, signing, policy: { intervalYears: DEFAULT_RENEWAL_INTERVAL_YEARS } },
      jobId,
      new Date(await env.currentTimeMs()),
    );
    await expectXadesArchived(jobId, 1);
    const firstPades = await storedPades(jobId);
    const stampsBefore = documentTimeStamps(await verifyPdfSignatures(firstPades, signing.pki.roots));

    // Today: nothing is due; year 1 is billed.
    expect((await runArchive()).renewed).toBe(0);
    expect(await storageYearsBilled(jobId)).toEqual([`${jobId}:LONG_TERM_STORAGE_YEAR:1`]);

    // Past the 40 days, the documents are still there.
    await env.sleep(41 * DAY);
    expect((await readOwnedJob(t.db, ORG, 'portal', jobId))!.job.documentsDeleted).toBe(false);
    expect(await liveDocuments(jobId)).toBe(1);

    // Three years and a day on: the renewal is due.
    await env.sleep(3 * YEAR + DAY);
    const run = await runArchive();
    expect(run.renewed).toBe(1);
    const renewed = await storedPades(jobId);
    expect(renewed.subarray(0, firstPades.length).equals(firstPades)).toBe(true);
    const report = await verifyPdfSignatures(renewed, signing.pki.roots);
    expect(documentTimeStamps(report)).toBe(stampsBefore + 1);
    expect(report.valid, JSON.stringify(report.problems)).toBe(true);
    const after = await t.db
      .selectFrom('long_term_archives')
      .selectAll()
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(after.renewals).toBe(1);
    // Renewed with the PAdES: a second archive time-stamp on each XAdES.
    await expectXadesArchived(jobId, 2);
    expect(after.next_renewal_at.getTime() - after.last_time_stamp_at.getTime()).toBeGreaterThan(2.9 * YEAR);

    // Years 1 to 4 have begun: each billed once, also when the run goes again the same day.
    expect((await runArchive()).renewed).toBe(0);
    expect(await storageYearsBilled(jobId)).toEqual(
      [1, 2, 3, 4].map((y) => `${jobId}:LONG_TERM_STORAGE_YEAR:${y}`),
    );
    const audit = await t.db
      .selectFrom('audit_events')
      .select('event')
      .where('job_id', '=', jobId)
      .where('event', '=', 'ARCHIVE_TIME_STAMP_RENEWED')
      .execute();
    expect(audit).toHaveLength(1);

    // 50 years after it was stored, the daily run deletes it (no job workflow waits for that).
    expect((await runArchive()).deleted).toBe(0);
    await env.sleep(archive.delete_after.getTime() - (await env.currentTimeMs()) + DAY);
    expect((await runArchive()).deleted).toBe(1);
    const deletionRun = lastRun!;
    expect(await liveDocuments(jobId)).toBe(0);
    const gone = (await readOwnedJob(t.db, ORG, 'portal', jobId))!;
    expect(gone.job.documentsDeleted).toBe(true);
    expect(gone.hasPades).toBe(false);
    expect((await runArchive()).deleted).toBe(0);
    if (recording) {
      await saveHistory(handle, 'a long-term job is handed to the archive and its workflow ends');
      await saveHistory(deletionRun, 'the archive run deletes a job whose 50 years are over');
    }
  }, 240_000);

  it("the sender's deletion of an archived job whose workflow has ended is the archive's", async () => {
    const jobId = await createJob();
    const handle = await signAll(jobId);
    await env.sleep(60_000);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await liveDocuments(jobId)).toBe(1);
    await deleteJobDocuments({ db: t.db, temporal: env.client, taskQueue, storage }, jobId);
    expect(await liveDocuments(jobId)).toBe(0);
    const job = (await readOwnedJob(t.db, ORG, 'portal', jobId))!;
    expect(job.job.documentsDeleted).toBe(true);
    expect(job.hasPades).toBe(false);
    const archive = await t.db
      .selectFrom('long_term_archives')
      .select('deleted_at')
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(archive.deleted_at).not.toBeNull();
    // Asked again: nothing is left to delete, and the job has ended.
    await expect(
      deleteJobDocuments({ db: t.db, temporal: env.client, taskQueue, storage }, jobId),
    ).rejects.toThrow(JobConflictError);
  }, 120_000);

  it('the daily schedule of the archive run is created once, on Oslo time', async () => {
    const dev = await devServerEnv();
    try {
      expect(await ensureArchiveRenewalSchedule(dev.client, { taskQueue })).toBe('created');
      expect(await ensureArchiveRenewalSchedule(dev.client, { taskQueue })).toBe('exists');
      const described = await dev.client.schedule.getHandle(ARCHIVE_RENEWAL_SCHEDULE_ID).describe();
      expect(JSON.stringify(described.spec)).toContain('Europe/Oslo');
      expect(described.action.type).toBe('startWorkflow');
      if (described.action.type === 'startWorkflow') {
        expect(described.action.workflowType).toBe(ARCHIVE_RENEWAL_WORKFLOW_TYPE);
        expect(described.action.taskQueue).toBe(taskQueue);
      }
      expect(ARCHIVE_RENEWAL_CRON).toBe('15 3 * * *');
    } finally {
      await dev.teardown();
    }
  }, 60_000);
});
