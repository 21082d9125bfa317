/**
 * The signing pool (src/signatures/signing-pool.ts): a 3 MB, 10-signer packaging runs in a thread
 * while the event loop keeps its timers on time, the result is the one the process makes itself
 * (same presentation bytes, every signature valid), and a document that cannot be processed fails
 * with the same error class the activity turns into a final failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningContext, type SigningContext } from '../../src/signatures/context.js';
import { SigningPool } from '../../src/signatures/signing-pool.js';
import {
  DocumentUnprocessableError,
  type LocalTimeStamper,
  type PackagingDocument,
  PackagingInputError,
  type PackagingSigner,
  packageJob,
  trustAnchorsPem,
  verifyPdfSignatures,
} from '../../src/signing/index.js';
import { scanLikePdf } from '../fixtures/signing/pdfs.js';
import { jobInput, PIDS, type SigningWorld, signAll } from '../helpers/signing.js';

/** The first revision of a signed PDF: the presentation, before the seal's incremental update. */
function firstRevision(pdf: Uint8Array): Buffer {
  const bytes = Buffer.from(pdf);
  const end = bytes.indexOf('%%EOF');
  return bytes.subarray(0, end + 5);
}

describe('packaging in the signing pool', () => {
  let dir: string;
  let signing: SigningContext;
  let world: SigningWorld;
  let documents: PackagingDocument[];
  let signers: PackagingSigner[];
  const now = new Date();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signing-pool-'));
    signing = await createSigningContext(
      { pkiDir: join(dir, 'pki'), publicUrl: 'http://localhost:3000' },
      { threads: 1 },
    );
    world = {
      pki: signing.pki,
      timeStamper: signing.timeStamper as LocalTimeStamper,
      rootPem: trustAnchorsPem(signing.pki),
    };
    documents = [
      {
        title: 'Stor kontrakt',
        fileName: 'stor.pdf',
        mimeType: 'application/pdf',
        bytes: await scanLikePdf(300, 3_000_000),
      },
    ];
    signers = await signAll(
      world,
      'job-0001',
      documents,
      Array.from({ length: 10 }, (_, i) => ({
        name: `Signatar ${i + 1}`,
        pid: PIDS.fnr,
        advanced: i % 2 === 1,
      })),
    );
  }, 120_000);

  afterAll(async () => {
    await signing?.pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the event loop answering, and makes what the process makes', async () => {
    const pool = signing.pool;
    expect(pool?.size).toBe(1);
    const whole = { ...jobInput(world, documents, signers), now };
    const { pki: _pki, timeStamper: _ts, ...input } = whole;
    // The thread starts and loads its modules on first use: warm it, as a running worker would be.
    await pool!.packageJob(input);

    // The machine's own scheduling noise (a shared CI machine), over as long as a packaging takes.
    const started = performance.now();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const inThread = await pool!.packageJob(input);
    delay.disable();
    const packagingMs = performance.now() - started;
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, packagingMs));
    idle.disable();
    const lagMs = delay.max / 1e6;
    const idleLagMs = idle.max / 1e6;

    // The same packaging on the event loop, for comparison.
    const onLoop = monitorEventLoopDelay({ resolution: 10 });
    onLoop.enable();
    const inProcess = await packageJob(whole);
    onLoop.disable();
    const onLoopLagMs = onLoop.max / 1e6;
    console.log(
      `packaging ${packagingMs.toFixed(0)} ms; event loop lag max ${lagMs.toFixed(1)} ms in the pool, ` +
        `${onLoopLagMs.toFixed(1)} ms on the loop, ${idleLagMs.toFixed(1)} ms idle`,
    );
    // Under 100 ms where the machine schedules the loop on time (on a loaded one, within its noise),
    // and less than the same work on the loop holds it.
    expect(lagMs).toBeLessThan(Math.max(100, 3 * idleLagMs));
    expect(lagMs).toBeLessThan(onLoopLagMs);

    expect(inThread.fileName).toBe(inProcess.fileName);
    expect(inThread.documentPdfAProblems).toEqual(inProcess.documentPdfAProblems);
    // The presentation (pages, signature pages, attached XAdES) is byte for byte the same; what
    // follows holds signature values and time-stamps, which differ on every run.
    expect(firstRevision(inThread.pdf).equals(firstRevision(inProcess.pdf))).toBe(true);
    for (const pdf of [inThread.pdf, inProcess.pdf]) {
      const report = await verifyPdfSignatures(pdf, world.rootPem);
      expect(report.signatures.filter((s) => s.kind === 'xades')).toHaveLength(10);
      expect(report.signatures.flatMap((s) => s.problems)).toEqual([]);
      expect(report.valid).toBe(true);
    }
    // The archive's renewal in the thread: one more document time-stamp, everything still valid.
    const renewed = await pool!.renewArchiveTimeStamp(inThread.pdf);
    const before = await verifyPdfSignatures(inThread.pdf, world.rootPem);
    const after = await verifyPdfSignatures(renewed, world.rootPem);
    expect(Buffer.from(renewed.subarray(0, inThread.pdf.length)).equals(Buffer.from(inThread.pdf))).toBe(
      true,
    );
    expect(after.signatures).toHaveLength(before.signatures.length + 1);
    expect(after.valid).toBe(true);
  }, 180_000);

  it('fails a document that cannot be processed with the error the activity makes final', async () => {
    const broken = [
      { title: 'Brutt', fileName: 'brutt.pdf', mimeType: 'application/pdf', bytes: new Uint8Array(2048) },
    ];
    const brokenSigners = await signAll(world, 'job-0001', broken, [{ name: 'Signatar', pid: PIDS.fnr }]);
    const { pki: _pki, timeStamper: _ts, ...input } = jobInput(world, broken, brokenSigners);
    const failure = await signing.pool!.packageJob(input).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DocumentUnprocessableError);
    expect((failure as DocumentUnprocessableError).fileName).toBe('brutt.pdf');
    // XAdES that sign other documents: refused before anything is built, as in the process.
    const { pki: _p, timeStamper: _t, ...mismatched } = jobInput(world, broken, signers.slice(0, 1));
    const refused = await signing.pool!.packageJob(mismatched).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PackagingInputError);
  }, 60_000);

  it('ends a thread that has been idle, and starts one again when needed', async () => {
    const pool = new SigningPool(
      { pkiDir: join(dir, 'pki'), publicUrl: 'http://localhost:3000' },
      { threads: 1, idleMs: 300 },
    );
    try {
      const other = [{ ...documents[0]!, bytes: new Uint8Array(2048) }];
      const { pki: _pki, timeStamper: _ts, ...input } = jobInput(world, other, signers.slice(0, 1));
      // A refused input is the quickest task: the thread is started for it all the same.
      await expect(pool.packageJob(input)).rejects.toBeInstanceOf(PackagingInputError);
      expect(pool.threadsRunning).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(pool.threadsRunning).toBe(0);
      await expect(pool.packageJob(input)).rejects.toBeInstanceOf(PackagingInputError);
      expect(pool.threadsRunning).toBe(1);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
