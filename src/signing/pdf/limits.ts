/**
 * Limits on reading a PDF that came from outside: how much its streams may inflate to, how deep
 * its values nest, how many objects it may declare and look up. A 4 KB file of twice-compressed
 * zeros would otherwise inflate to gigabytes, and a field tree whose kids point back at each other
 * would be walked forever. Every breach is a PdfLimitError naming the limit, which the API turns
 * into a 413 (something decodes too large) or a 422 (a structure too deep, too many, or a loop).
 *
 * The limits hold per call by default. `withPdfLimits` also sums decoded bytes over a whole
 * document (its attachments included) and remembers the first breach, even when the code that
 * hit it caught it and went on (the verifier skips a stream it cannot decode): a document that
 * broke a limit is refused as a whole rather than reported on in part.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface PdfLimits {
  /** Bytes one stream may decode to. */
  maxStreamBytes: number;
  /** Bytes all streams of one document may decode to together (within withPdfLimits). */
  maxDecodedBytes: number;
  /** Decoded size over stored size allowed once a stream decodes to more than 1 MiB. */
  maxCompressionRatio: number;
  /** Filters in one stream's /Filter chain. */
  maxFilters: number;
  /** Entries in the cross-reference data, and objects in one object stream. */
  maxObjects: number;
  /** Object lookups while reading one document (a loop of references costs one per step). */
  maxLookups: number;
  /** Arrays and dictionaries inside each other; also references followed to parse one object. */
  maxDepth: number;
  /** Incremental updates (cross-reference sections chained by /Prev). */
  maxRevisions: number;
  /** Pages in the page tree (read at intake: each page costs packaging a page of its own). */
  maxPages: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = {
  // A job's documents are at most 3 MB each; the streams we decode (cross-reference and object
  // streams, DSS certificates and CRLs, attached XAdES) are far smaller than their page content.
  maxStreamBytes: 16 * 1024 * 1024,
  maxDecodedBytes: 64 * 1024 * 1024,
  // Deflate cannot exceed about 1,030:1 in one pass; real PDF streams stay well under 100:1.
  maxCompressionRatio: 200,
  maxFilters: 2,
  maxObjects: 500_000,
  maxLookups: 1_000_000,
  maxDepth: 64,
  maxRevisions: 1_000,
  maxPages: 5_000,
};

/** Below this decoded size the ratio is not checked: tiny streams of zeros are harmless. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export type PdfLimitCode =
  | 'PDF_STREAM_TOO_LARGE'
  | 'PDF_DECODED_TOO_LARGE'
  | 'PDF_COMPRESSION_RATIO_TOO_HIGH'
  | 'PDF_TOO_MANY_FILTERS'
  | 'PDF_TOO_MANY_OBJECTS'
  | 'PDF_TOO_MANY_LOOKUPS'
  | 'PDF_NESTING_TOO_DEEP'
  | 'PDF_REFERENCE_LOOP'
  | 'PDF_TOO_MANY_REVISIONS'
  | 'PDF_TOO_MANY_PAGES';

const SIZE_CODES = new Set<PdfLimitCode>([
  'PDF_STREAM_TOO_LARGE',
  'PDF_DECODED_TOO_LARGE',
  'PDF_COMPRESSION_RATIO_TOO_HIGH',
]);

/** 413 when something decodes too large, 422 for a structure the reader will not follow. */
export function pdfLimitStatus(code: PdfLimitCode): 413 | 422 {
  return SIZE_CODES.has(code) ? 413 : 422;
}

const LIMIT_CODES = new Set<string>([
  ...SIZE_CODES,
  'PDF_TOO_MANY_FILTERS',
  'PDF_TOO_MANY_OBJECTS',
  'PDF_TOO_MANY_LOOKUPS',
  'PDF_NESTING_TOO_DEEP',
  'PDF_REFERENCE_LOOP',
  'PDF_TOO_MANY_REVISIONS',
  'PDF_TOO_MANY_PAGES',
] satisfies PdfLimitCode[]);

export const isPdfLimitCode = (code: string): code is PdfLimitCode => LIMIT_CODES.has(code);

export class PdfLimitError extends Error {
  constructor(
    readonly code: PdfLimitCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdfLimitError';
  }

  get status(): 413 | 422 {
    return pdfLimitStatus(this.code);
  }
}

interface Budget {
  limits: PdfLimits;
  decodedBytes: number;
  breach?: PdfLimitError;
}

const budgets = new AsyncLocalStorage<Budget>();

/** The limits in force: the caller's (withPdfLimits) or the defaults. */
export function pdfLimits(): PdfLimits {
  return budgets.getStore()?.limits ?? DEFAULT_PDF_LIMITS;
}

/** A breach to throw, remembered by the enclosing withPdfLimits (the first one wins). */
export function pdfLimitBreach(code: PdfLimitCode, message: string): PdfLimitError {
  const err = new PdfLimitError(code, message);
  const budget = budgets.getStore();
  if (budget && !budget.breach) budget.breach = err;
  return err;
}

/** Counts decoded bytes against the document's total; throws once it is exceeded. */
export function chargeDecodedBytes(bytes: number): void {
  const budget = budgets.getStore();
  if (!budget) return;
  budget.decodedBytes += bytes;
  if (budget.decodedBytes > budget.limits.maxDecodedBytes) {
    throw pdfLimitBreach(
      'PDF_DECODED_TOO_LARGE',
      `the document's streams decode to more than ${budget.limits.maxDecodedBytes} bytes`,
    );
  }
}

/** Bytes a stream may still decode to: its own cap, or what is left of the document's total. */
export function decodedBytesLeft(): number {
  const budget = budgets.getStore();
  const limits = pdfLimits();
  if (!budget) return limits.maxStreamBytes;
  return Math.max(0, Math.min(limits.maxStreamBytes, limits.maxDecodedBytes - budget.decodedBytes));
}

/**
 * Runs `fn` (reading one document from outside) under the limits; if any limit was breached on
 * the way, rejects with that breach even when `fn` caught it and returned.
 */
export async function withPdfLimits<T>(fn: () => Promise<T>, limits: Partial<PdfLimits> = {}): Promise<T> {
  const budget: Budget = { limits: { ...DEFAULT_PDF_LIMITS, ...limits }, decodedBytes: 0 };
  const result = await budgets.run(budget, async () => {
    try {
      return await fn();
    } catch (err) {
      throw budget.breach ?? err;
    }
  });
  if (budget.breach) throw budget.breach;
  return result;
}
