/**
 * The PDF reader's limits (src/signing/pdf/limits.ts) against hostile files, in process: each
 * attack is stopped by the limit named for it, quickly, and without inflating what it hides.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PdfLimitError, withPdfLimits } from '../../src/signing/pdf/limits.js';
import { PdfDict, PdfName, type PdfRef, PdfStream } from '../../src/signing/pdf/objects.js';
import { decodeStream, PdfReader } from '../../src/signing/pdf/reader.js';
import { verifyPdfSignatures } from '../../src/signing/verify.js';
import {
  deepNesting,
  doubleDeflateBomb,
  kidsLoop,
  lengthLoop,
  longFilterChain,
  manySmallBombs,
  objectStreamLoop,
  pdfOf,
  singleLayerBomb,
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
