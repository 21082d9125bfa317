/**
 * Packaging (what the worker's packageJob activity runs) under the limits on PDFs from outside,
 * measured in this process: a bomb that reaches packaging without passing intake (stored before
 * intake checked it, or put in some other way) is refused without being inflated; the largest
 * permitted document is sealed with the process under 1 GB, and the memory one job took is given
 * back; a page's single content stream is carried over as stored, never inflated.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentUnprocessableError, packageJob } from '../../src/signing/index.js';
import { presentJob } from '../../src/signing/presentation.js';
import { noise, scanLikePdf } from '../fixtures/signing/pdfs.js';
import { contentBomb, onePage, streamObject } from '../hardening/hostile-documents.js';
import { jobInput, PIDS, type SigningWorld, signAll, signingWorld } from '../helpers/signing.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resets the kernel's peak-RSS mark of this process (Linux): what peakRss() reports is then ours. */
async function resetPeakRss() {
  await writeFile('/proc/self/clear_refs', '5');
}
async function peakRss() {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}
/** Memory the process holds for data, after a full collection: the heap and buffers. */
function heldAfterGc() {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

let world: SigningWorld;

beforeAll(async () => {
  world = await signingWorld();
});

const present = (bytes: Uint8Array) =>
  presentJob({
    job: {
      jobId: 'job-bomb',
      title: 'Bomb',
      senderName: 'Avsender AS',
      senderOrg: '987654321',
      identifierInSignedDocuments: 'NAME',
    },
    documents: [{ title: 'Bomb', fileName: 'bomb.pdf', mimeType: 'application/pdf', bytes }],
    signers: [],
    sealedBy: 'Test',
    createdAt: new Date(),
  });

describe('packaging within the limits', () => {
  it('refuses a content bomb put straight to packaging (skipping intake), without inflating it', async () => {
    // Three content streams of 256 MiB of zeros each (750 KB stored): page content packaging used
    // to inflate and join whole.
    const bomb = await contentBomb(256 * MB, 3);
    await resetPeakRss();
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const err = await present(bomb).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DocumentUnprocessableError);
    expect(String((err as Error).message)).toContain('PDF_STREAM_TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(5_000);
    // Inflated, the three streams would be 768 MiB (and their joined copy as much again).
    expect((await peakRss()) - before).toBeLessThan(128 * MB);
  }, 60_000);

  it("carries a page's single content stream over as stored, not inflated and deflated again", async () => {
    const stored = deflateSync(noise(256 * 1024));
    const pdf = onePage('/Contents 4 0 R', { 4: streamObject('/Filter /FlateDecode', stored) });
    const { bytes } = await present(pdf);
    expect(Buffer.from(bytes).indexOf(stored)).toBeGreaterThan(0);
  });

  it('seals the largest permitted document (3 MB, 300 pages) under 1 GB and gives the memory back', async () => {
    const bytes = await scanLikePdf(300, 3_000_000);
    expect(bytes.length).toBeGreaterThan(2_900_000);
    const documents = [{ title: 'Stor', fileName: 'stor.pdf', mimeType: 'application/pdf', bytes }];
    const signers = await signAll(world, 'job-0001', documents, [
      { name: 'Kari Nordmann', pid: PIDS.fnr },
      { name: 'Ola Nordmann', pid: PIDS.dnr, advanced: true },
    ]);
    const held = heldAfterGc();
    await resetPeakRss();
    const { pdf } = await packageJob(jobInput(world, documents, signers));
    expect(pdf.length).toBeGreaterThan(bytes.length);
    expect(await peakRss()).toBeLessThan(GB);
    // What the job took is garbage once it is done: the result (about 3 MB) aside, the heap and
    // buffers are back near where they were.
    expect(heldAfterGc() - held).toBeLessThan(48 * MB);
  }, 120_000);
});
