/**
 * A stream's filter chain decoded within the PDF limits (./limits.ts): FlateDecode with Node's
 * zlib, and the older LZWDecode, ASCII85Decode, ASCIIHexDecode and RunLengthDecode with pdf-lib's
 * decoders read a block at a time. Every step stops at the first cap reached (the stream's own,
 * what is left of the document's total, the compression ratio) instead of finishing and then
 * complaining, so a bomb costs at most the cap in memory and time.
 *
 * Image codecs (DCT, JPX, JBIG2, CCITT fax) are never decoded by the service: pdf-lib copies image
 * data as stored, and only a reader's viewer ever draws it.
 */
import { inflateSync } from 'node:zlib';
import {
  decodePDFRawStream,
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFRawStream,
} from 'pdf-lib';
import {
  chargeDecodedBytes,
  decodedBytesLeft,
  pdfLimitBreach,
  pdfLimits,
  RATIO_FLOOR_BYTES,
} from './limits.js';

/** One filter of a chain, with what its /DecodeParms say that changes the output. */
export interface FilterStep {
  name: string;
  /** PNG predictors (10 and up) of Flate and LZW; 1 (none) when absent. */
  predictor?: number;
  columns?: number;
  /** LZW's /EarlyChange (1 unless 0). */
  earlyChange?: number;
}

/** Filters the service can decode; anything else (image codecs, /Crypt, unknown) ends the chain. */
const DECODABLE = new Set(['FlateDecode', 'LZWDecode', 'ASCII85Decode', 'ASCIIHexDecode', 'RunLengthDecode']);

export const isDecodable = (step: FilterStep) => DECODABLE.has(step.name);

/**
 * Decodes `data` through `steps` (all decodable, at most `maxFilters` of them) and counts the
 * result against the document's decoded total. Throws a PdfLimitError at the first cap.
 */
export function decodeFilterChain(data: Uint8Array, steps: FilterStep[]): Uint8Array {
  const limits = pdfLimits();
  if (steps.length > limits.maxFilters) {
    throw pdfLimitBreach(
      'PDF_TOO_MANY_FILTERS',
      `a stream has ${steps.length} filters; at most ${limits.maxFilters}`,
    );
  }
  const stored = data.length;
  let out = data;
  for (const step of steps) {
    if (!isDecodable(step)) throw new Error(`the filter ${step.name} cannot be decoded`);
    out =
      step.name === 'FlateDecode'
        ? inflateBounded(out, stored, limits.maxCompressionRatio)
        : decodeWithPdfLib(out, step, stored, limits.maxCompressionRatio);
    if ((step.predictor ?? 1) >= 10) out = undoPngPredictor(out, step.columns ?? 1);
  }
  if (steps.length > 0) chargeDecodedBytes(out.length);
  return out;
}

/** How many bytes one decoding step may produce, and which limit that is. */
function capFor(storedLength: number, maxRatio: number) {
  const left = decodedBytesLeft();
  const byRatio = Math.max(RATIO_FLOOR_BYTES, storedLength * maxRatio);
  return { cap: Math.min(left, byRatio), left, byRatio };
}

/** The breach for output beyond `capFor`'s cap: the ratio, the document's total or the stream's own. */
function tooLarge(storedLength: number, maxRatio: number, c: ReturnType<typeof capFor>) {
  const limits = pdfLimits();
  if (c.cap === c.byRatio && c.byRatio < c.left) {
    return pdfLimitBreach(
      'PDF_COMPRESSION_RATIO_TOO_HIGH',
      `a stream of ${storedLength} bytes decodes to more than ${c.byRatio} (ratio over ${maxRatio}:1)`,
    );
  }
  if (c.left < limits.maxStreamBytes) {
    return pdfLimitBreach(
      'PDF_DECODED_TOO_LARGE',
      `the document's streams decode to more than ${limits.maxDecodedBytes} bytes`,
    );
  }
  return pdfLimitBreach(
    'PDF_STREAM_TOO_LARGE',
    `a stream decodes to more than ${limits.maxStreamBytes} bytes`,
  );
}

/** Inflates, stopping (not finishing and then complaining) at the first cap reached. */
export function inflateBounded(data: Uint8Array, storedLength: number, maxRatio: number): Uint8Array {
  const c = capFor(storedLength, maxRatio);
  try {
    return new Uint8Array(inflateSync(data, { maxOutputLength: Math.max(1, c.cap) }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
    throw tooLarge(storedLength, maxRatio, c);
  }
}

/** pdf-lib's decoders need a dictionary of some document; this one holds nothing else. */
let scratch: PDFContext | undefined;

/** The older filters through pdf-lib, read 64 KiB at a time and given up past the cap. */
function decodeWithPdfLib(data: Uint8Array, step: FilterStep, storedLength: number, maxRatio: number) {
  scratch ??= PDFContext.create();
  const dict = scratch.obj({
    Filter: step.name,
    ...(step.earlyChange === undefined ? {} : { DecodeParms: { EarlyChange: step.earlyChange } }),
  });
  const decoder = decodePDFRawStream(PDFRawStream.of(dict, data));
  const c = capFor(storedLength, maxRatio);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const chunk = decoder.getBytes(64 * 1024);
    if (chunk.length === 0) break;
    length += chunk.length;
    if (length > c.cap) throw tooLarge(storedLength, maxRatio, c);
    chunks.push(new Uint8Array(chunk));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function undoPngPredictor(data: Uint8Array, columns: number): Uint8Array {
  const rowLength = columns + 1;
  const rows = Math.floor(data.length / rowLength);
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * rowLength]!;
    for (let c = 0; c < columns; c++) {
      const raw = data[r * rowLength + 1 + c]!;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
      let v = raw;
      if (type === 1) v = raw + left;
      else if (type === 2) v = raw + up;
      else if (type === 3) v = raw + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[r * columns + c] = v & 0xff;
    }
  }
  return out;
}

/** The filter chain of a pdf-lib stream (a document pdf-lib loaded). */
export function pdfLibFilterSteps(stream: PDFRawStream): FilterStep[] {
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const parms = stream.dict.lookup(PDFName.of('DecodeParms'));
  const names =
    filter instanceof PDFArray ? filter.asArray().map((f) => stream.dict.context.lookup(f)) : [filter];
  // One /DecodeParms for a chain belongs to its last filter (where the predictor is undone).
  const parmsOf = (i: number): PDFObject | undefined =>
    parms instanceof PDFArray
      ? stream.dict.context.lookup(parms.get(i))
      : i === names.length - 1
        ? parms
        : undefined;
  return names.flatMap((f, i) => {
    if (f === undefined) return [];
    const p = parmsOf(i);
    const number = (key: string) => {
      const v = p instanceof PDFDict ? p.lookup(PDFName.of(key)) : undefined;
      return v instanceof PDFNumber ? v.asNumber() : undefined;
    };
    return [
      {
        name: f instanceof PDFName ? f.decodeText() : String(f),
        predictor: number('Predictor'),
        columns: number('Columns'),
        earlyChange: number('EarlyChange'),
      },
    ];
  });
}

/**
 * The decoded bytes of a stream of a document pdf-lib loaded, within the limits (a caller's
 * withPdfLimits, or the per-stream defaults): what the service uses instead of pdf-lib's own
 * decoding, which inflates whatever a stream holds.
 */
export function decodePdfLibStream(stream: PDFRawStream): Uint8Array {
  const steps = pdfLibFilterSteps(stream);
  const blocked = steps.find((s) => !isDecodable(s));
  if (blocked) throw new Error(`the filter ${blocked.name} cannot be decoded`);
  return decodeFilterChain(stream.contents, steps);
}
