/**
 * The PDF reader's limits (src/signing/pdf/limits.ts) against hostile files, in process: each
 * attack is stopped by the limit named for it, quickly, and without inflating what it hides;
 * as the verifier reads a PDF, and as a job document is read whole (src/signing/pdf/intake.ts).
 */
import { deflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { readPdfWithinLimits } from '../../src/signing/pdf/intake.js';
import { PdfLimitError, type PdfLimits, withPdfLimits } from '../../src/signing/pdf/limits.js';
import { PdfDict, PdfName, type PdfRef, PdfStream } from '../../src/signing/pdf/objects.js';
import { decodeStream, PdfReader } from '../../src/signing/pdf/reader.js';
import { verifyPdfSignatures } from '../../src/signing/verify.js';
import { scanLikePdf } from '../fixtures/signing/pdfs.js';
import {
  contentBomb,
  deepNesting,
  deflatedZeros,
  doubleDeflateBomb,
  kidsLoop,
  lengthLoop,
  longFilterChain,
  manySmallBombs,
  objectStreamLoop,
  onePage,
  orphanObjectStreamBomb,
  pageTreeLoop,
  pdfOf,
  singleLayerBomb,
  streamObject,
} from './hostile-documents.js';

/** Reads what the verifier reads (catalog, DSS streams, form fields) under the limits. */
async function verifyLimited(pdf: Uint8Array) {
  return withPdfLimits(() => verifyPdfSignatures(pdf, []));
}

async function limitHit(pdf: Uint8Array): Promise<PdfLimitError> {
  const err = await verifyLimited(pdf).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PdfLimitError);
  return err as PdfLimitError;
}

describe('PDF limits', () => {
  it('stops a double-deflate bomb at the compression ratio, without inflating it', async () => {
    const pdf = await doubleDeflateBomb();
    expect(pdf.length).toBeLessThan(16 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const started = Date.now();
    const err = await limitHit(pdf);
    expect(err.code).toBe('PDF_COMPRESSION_RATIO_TOO_HIGH');
    expect(err.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('stops a single-layer bomb at the per-stream size', async () => {
    const err = await limitHit(await singleLayerBomb());
    expect(err.code).toBe('PDF_STREAM_TOO_LARGE');
    expect(err.status).toBe(413);
  }, 60_000);

  it('stops many streams each under the cap at the document total', async () => {
    // The reader alone: the verifier would also parse each decoded MiB as a certificate.
    const pdf = await manySmallBombs();
    const err = await withPdfLimits(async () => {
      const reader = PdfReader.open(pdf);
      const certs = reader.resolve(reader.dict(reader.catalog.get('DSS'))?.get('Certs')) as PdfRef[];
      for (const ref of certs) decodeStream(reader.get(ref) as PdfStream);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PdfLimitError);
    expect((err as PdfLimitError).code).toBe('PDF_DECODED_TOO_LARGE');
  }, 60_000);

  it('refuses a filter chain longer than two', async () => {
    expect((await limitHit(longFilterChain())).code).toBe('PDF_TOO_MANY_FILTERS');
  });

  it('refuses values nested 100,000 deep instead of overflowing the stack', async () => {
    const err = await limitHit(deepNesting());
    expect(err.code).toBe('PDF_NESTING_TOO_DEEP');
    expect(err.status).toBe(422);
  });

  it('detects a /Length that loops back through another object', async () => {
    expect((await limitHit(lengthLoop())).code).toBe('PDF_REFERENCE_LOOP');
  });

  it('detects an object stream that claims to hold itself', async () => {
    expect((await limitHit(objectStreamLoop())).code).toBe('PDF_REFERENCE_LOOP');
  });

  it('ends a walk over a field tree whose kids repeat themselves', async () => {
    const started = Date.now();
    expect((await limitHit(kidsLoop())).code).toBe('PDF_TOO_MANY_LOOKUPS');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('refuses a cross-reference table that claims a billion objects before looping over them', () => {
    const pdf = pdfOf({ 1: '<< /Type /Catalog >>' });
    const huge = Buffer.from(pdf.toString('latin1').replace('xref\n0 2\n', 'xref\n0 999999999\n'), 'latin1');
    const started = Date.now();
    expect(() => PdfReader.open(huge)).toThrow(/more than 500000 objects/);
    const lying = Buffer.from(pdf.toString('latin1').replace('xref\n0 2\n', 'xref\n0 400000\n'), 'latin1');
    expect(() => PdfReader.open(lying)).toThrow(/truncated xref subsection/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('decodes each stream once, however often it is read', () => {
    const stream = new PdfStream(
      new PdfDict([['Filter', new PdfName('FlateDecode')]]),
      deflateSync(Buffer.from('abc')),
    );
    expect(decodeStream(stream)).toBe(decodeStream(stream));
  });

  it('holds the per-stream cap outside withPdfLimits too (the signing path)', async () => {
    const pdf = await singleLayerBomb(32 * 1024 * 1024);
    const reader = PdfReader.open(pdf);
    const dss = reader.dict(reader.catalog.get('DSS'));
    const certs = reader.resolve(dss?.get('Certs')) as unknown[];
    const stream = reader.resolve(certs[0] as never);
    expect(stream).toBeInstanceOf(PdfStream);
    expect(() => decodeStream(stream as PdfStream)).toThrow(PdfLimitError);
  }, 60_000);
});

/** The limit a document breaks when read whole, as at intake, or undefined when it passes. */
async function intakeLimit(pdf: Uint8Array, limits: Partial<PdfLimits> = {}) {
  return readPdfWithinLimits(pdf, limits).then(
    () => undefined,
    (e: unknown) => {
      expect(e).toBeInstanceOf(PdfLimitError);
      return (e as PdfLimitError).code;
    },
  );
}

describe('a job document read whole within the limits (intake and packaging)', () => {
  it('refuses page content that inflates past the per-stream cap, without inflating it', async () => {
    const pdf = await contentBomb(256 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const started = Date.now();
    expect(await intakeLimit(pdf)).toBe('PDF_STREAM_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('refuses an object stream bomb that no cross-reference section lists (pdf-lib would inflate it)', async () => {
    expect(await intakeLimit(await orphanObjectStreamBomb())).toBe('PDF_STREAM_TOO_LARGE');
  }, 60_000);

  it('refuses a page tree that contains itself, and more pages than the cap', async () => {
    expect(await intakeLimit(pageTreeLoop())).toBe('PDF_REFERENCE_LOOP');
    const pages = await PDFDocument.create();
    for (let i = 0; i < 4; i++) pages.addPage();
    const bytes = await pages.save();
    expect(await intakeLimit(bytes, { maxPages: 4 })).toBeUndefined();
    expect(await intakeLimit(bytes, { maxPages: 3 })).toBe('PDF_TOO_MANY_PAGES');
  });

  it('refuses deep nesting and reference loops as the verifier does', async () => {
    expect(await intakeLimit(deepNesting())).toBe('PDF_NESTING_TOO_DEEP');
    expect(await intakeLimit(lengthLoop())).toBe('PDF_REFERENCE_LOOP');
  });

  it('bounds the older filters too: a RunLength stream is cut off at the per-stream cap', async () => {
    // 128 bytes of zeros per two bytes stored: 20 MiB in 320 KiB.
    const run = Buffer.alloc((20 * 1024 * 1024) / 64);
    for (let i = 0; i < run.length; i += 2) run[i] = 257 - 128;
    const pdf = onePage('/Contents 4 0 R', { 4: streamObject('/Filter /RunLengthDecode', run) });
    expect(await intakeLimit(pdf)).toBe('PDF_STREAM_TOO_LARGE');
  });

  it('leaves image data alone (the service never draws it), but not page content posing as an image', async () => {
    const zeros = await deflatedZeros(64 * 1024 * 1024);
    const image = streamObject(
      '/Type /XObject /Subtype /Image /Width 8192 /Height 8192 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
      zeros,
    );
    const withImage = onePage('/Resources << /XObject << /Im1 4 0 R >> >>', { 4: image });
    expect(await intakeLimit(withImage)).toBeUndefined();
    const posing = onePage('/Contents 4 0 R', { 4: image });
    expect(await intakeLimit(posing)).toBe('PDF_COMPRESSION_RATIO_TOO_HIGH');
  }, 60_000);

  it('reads a 3 MB, 300-page document in well under a second of CPU', async () => {
    const pdf = await scanLikePdf(300, 3_000_000);
    expect(pdf.length).toBeGreaterThan(2_900_000);
    await readPdfWithinLimits(pdf); // warm-up: the first run compiles the lexer
    const cpu = process.cpuUsage();
    expect(await readPdfWithinLimits(pdf)).toEqual({ pageCount: 300 });
    const used = process.cpuUsage(cpu);
    // About 30 ms on an idle machine (docs/security.md, "Limits on input from outside").
    expect((used.user + used.system) / 1000).toBeLessThan(1_000);
  }, 60_000);
});
