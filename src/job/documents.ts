/**
 * Defensive inspection of an uploaded document before a job is created: every check the service
 * can make up front, so a sender learns at creation (400) rather than when signing fails later.
 * Accepts PDF 1.1-1.7 (including PDF/A) and UTF-8 plain text, at most 3 MB; a PDF only when it
 * can be read within the limits on PDFs from outside (src/signing/pdf/limits.ts).
 */

import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { decodePdfLibStream } from '../signing/pdf/filters.js';
import { readPdfWithinLimits } from '../signing/pdf/intake.js';
import { type PdfLimitCode, PdfLimitError } from '../signing/pdf/limits.js';
import { type DocumentMimeType, MAX_DOCUMENT_BYTES } from './model.js';

export type DocumentKind = 'PDF' | 'PDF_A' | 'TEXT';

export type DocumentProblemCode =
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_EMPTY'
  | 'MIME_TYPE_MISMATCH'
  | 'UNSUPPORTED_PDF_VERSION'
  | 'ENCRYPTED_PDF'
  | 'UNPARSABLE_PDF'
  | 'INVALID_TEXT_ENCODING'
  // A limit on reading a PDF from outside (src/signing/pdf/limits.ts), the same as /api/verify's.
  | PdfLimitCode;

export type DocumentInspection =
  | {
      ok: true;
      kind: DocumentKind;
      /** Effective PDF version: the header's, raised by a catalog `/Version` entry if present. */
      pdfVersion?: string;
      /** PDF/A part (1, 2 or 3) from `pdfaid:part` in the document's XMP metadata. */
      pdfaPart?: number;
      pageCount?: number;
    }
  | { ok: false; code: DocumentProblemCode; message: string };

/** The PDF spec lets the header sit anywhere in the first 1024 bytes (after junk some tools add). */
const PDF_HEADER_SEARCH_BYTES = 1024;
const MIN_PDF_MINOR_VERSION = 1;
const MAX_PDF_MINOR_VERSION = 7;

function fail(code: DocumentProblemCode, message: string): DocumentInspection {
  return { ok: false, code, message };
}

/**
 * Bytes as a string of one char per byte, each char's code the byte's value: lets regular
 * expressions scan PDF syntax. Buffer's latin1 decoder does this natively; TextDecoder('latin1')
 * is windows-1252 by the web's rules, several times slower on a whole document.
 */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** `major.minor` of the `%PDF-x.y` header in the first 1024 bytes, or undefined without one. */
export function pdfHeaderVersion(bytes: Uint8Array): { major: number; minor: number } | undefined {
  const head = latin1(bytes.subarray(0, PDF_HEADER_SEARCH_BYTES));
  const match = /%PDF-(\d{1,2})\.(\d{1,2})/.exec(head);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function hasPdfMarker(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, PDF_HEADER_SEARCH_BYTES)).includes('%PDF-');
}

function isSupportedVersion(v: { major: number; minor: number }): boolean {
  return v.major === 1 && v.minor >= MIN_PDF_MINOR_VERSION && v.minor <= MAX_PDF_MINOR_VERSION;
}

/**
 * True when the raw bytes hold an `/Encrypt` entry pointing at an encryption dictionary, as a
 * classic trailer or a cross-reference stream dictionary carries it. This does not rely on the
 * parser: pdf-lib reports `isEncrypted` only when the reference resolves, and a damaged file may
 * still be encrypted. An `/Encrypt` name followed by a reference or a dictionary occurs nowhere
 * else in an unencrypted PDF's syntax.
 */
export function hasRawEncryptEntry(bytes: Uint8Array): boolean {
  return /\/Encrypt\s*(?:\d+\s+\d+\s+R|<<)/.test(latin1(bytes));
}

/** Magic numbers of common binary formats that are never plain text. */
const BINARY_SIGNATURES: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0x50, 0x4b, 0x03, 0x04], // ZIP, and with it DOCX/ODT
  [0xd0, 0xcf, 0x11, 0xe0], // OLE2: old .doc/.xls
  [0x1f, 0x8b], // gzip
];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Control characters that never belong in a text document. Tab, line feed, vertical tab, form
 * feed and carriage return are layout; NUL and the rest mark binary data or a wrong encoding.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN_TEXT_CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]/;

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function inspectText(bytes: Uint8Array): DocumentInspection {
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  const text = decodeUtf8(body);
  // A PDF starts with its header, or has it near the start followed by binary bytes; a text that
  // merely mentions "%PDF-" is still text.
  const startsAsPdf = /^\s*%PDF-/.test(latin1(body.subarray(0, 64)));
  if (startsAsPdf || (text === undefined && hasPdfMarker(bytes))) {
    return fail('MIME_TYPE_MISMATCH', 'declared as text/plain, but the content is a PDF');
  }
  if (BINARY_SIGNATURES.some((sig) => startsWith(bytes, sig))) {
    return fail('MIME_TYPE_MISMATCH', 'declared as text/plain, but the content is a binary file');
  }
  if (body.length === 0) return fail('DOCUMENT_EMPTY', 'the text document is empty');
  if (text === undefined) return fail('INVALID_TEXT_ENCODING', 'text documents must be encoded as UTF-8');
  if (FORBIDDEN_TEXT_CONTROLS.test(text)) {
    return fail(
      'INVALID_TEXT_ENCODING',
      'the text contains NUL or other control characters; only tab, line breaks and form feed are allowed',
    );
  }
  return { ok: true, kind: 'TEXT' };
}

/** The PDF/A part from XMP metadata (`pdfaid:part="2"` or `<pdfaid:part>2</pdfaid:part>`). */
export function pdfaPartFromXmp(xmp: string): number | undefined {
  const match = /pdfaid:part\s*(?:=\s*["'](\d+)["']|>\s*(\d+)\s*<)/.exec(xmp);
  const part = match?.[1] ?? match?.[2];
  return part === undefined ? undefined : Number(part);
}

/** The document-level XMP packet (the catalog's `/Metadata` stream), decoded, if any. */
function catalogXmp(doc: PDFDocument): string | undefined {
  const metadata = doc.catalog.lookup(PDFName.of('Metadata'));
  if (!(metadata instanceof PDFRawStream)) return undefined;
  try {
    return latin1(decodePdfLibStream(metadata));
  } catch {
    return undefined;
  }
}

/** `/Version` in the catalog (PDF 1.4+): a later revision may raise the header's version. */
function catalogVersion(doc: PDFDocument): { major: number; minor: number } | undefined {
  const version = doc.catalog.lookup(PDFName.of('Version'));
  if (!(version instanceof PDFName)) return undefined;
  const match = /^(\d{1,2})\.(\d{1,2})$/.exec(version.decodeText());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function laterVersion(
  a: { major: number; minor: number },
  b: { major: number; minor: number } | undefined,
): { major: number; minor: number } {
  if (!b) return a;
  return b.major > a.major || (b.major === a.major && b.minor > a.minor) ? b : a;
}

async function inspectPdf(bytes: Uint8Array): Promise<DocumentInspection> {
  const header = pdfHeaderVersion(bytes);
  if (!header) {
    return fail('MIME_TYPE_MISMATCH', 'declared as application/pdf, but there is no %PDF- header');
  }
  if (!isSupportedVersion(header)) {
    return fail(
      'UNSUPPORTED_PDF_VERSION',
      `PDF version ${header.major}.${header.minor} is not supported; use PDF 1.1 to 1.7 or PDF/A-1 to PDF/A-3`,
    );
  }
  // Before parsing: an encrypted file is refused as encrypted even if it is also damaged.
  if (hasRawEncryptEntry(bytes)) {
    return fail('ENCRYPTED_PDF', 'password-protected or encrypted PDFs are not supported');
  }

  // Before pdf-lib, which bounds nothing: the whole file within the limits /api/verify reads with,
  // so neither this inspection nor the worker that packages the job later can be made to inflate
  // a bomb, walk a page tree forever or recurse without end.
  try {
    await readPdfWithinLimits(bytes);
  } catch (err) {
    if (err instanceof PdfLimitError) return fail(err.code, `the PDF breaks a limit: ${err.message}`);
    return fail(
      'UNPARSABLE_PDF',
      `the PDF's cross-reference data or catalog cannot be read (${(err as Error).message ?? err})`,
    );
  }

  let doc: PDFDocument;
  try {
    // ignoreEncryption: let the load succeed so encryption is reported as such, not as unparsable.
    // updateMetadata: false: inspection must not touch the document's producer/modification date.
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  } catch {
    return fail('UNPARSABLE_PDF', 'the PDF could not be read');
  }

  try {
    if (doc.isEncrypted || doc.context.trailerInfo.Encrypt !== undefined) {
      return fail('ENCRYPTED_PDF', 'password-protected or encrypted PDFs are not supported');
    }
    const effective = laterVersion(header, catalogVersion(doc));
    if (!isSupportedVersion(effective)) {
      return fail(
        'UNSUPPORTED_PDF_VERSION',
        `PDF version ${effective.major}.${effective.minor} (catalog /Version) is not supported; use PDF 1.1 to 1.7`,
      );
    }
    const pageCount = doc.getPageCount();
    if (pageCount === 0) return fail('UNPARSABLE_PDF', 'the PDF has no pages');
    const xmp = catalogXmp(doc);
    const pdfaPart = xmp === undefined ? undefined : pdfaPartFromXmp(xmp);
    const pdfVersion = `${effective.major}.${effective.minor}`;
    return pdfaPart === undefined
      ? { ok: true, kind: 'PDF', pdfVersion, pageCount }
      : { ok: true, kind: 'PDF_A', pdfVersion, pdfaPart, pageCount };
  } catch {
    // A missing catalog or a broken page tree surfaces only when pdf-lib walks it.
    return fail('UNPARSABLE_PDF', 'the PDF structure is damaged (catalog or page tree unreadable)');
  }
}

/**
 * Checks an uploaded document against what it was declared as. Never throws: every problem is a
 * result with a code the API reports with the document's name.
 *
 * Order of checks: size, emptiness, type (header / magic numbers), then for PDFs the header
 * version, encryption, the limits on reading it (decoded sizes, objects, pages, nesting, loops),
 * parsing and page count; for text, UTF-8 validity and control characters.
 */
export async function inspectDocument(
  bytes: Uint8Array,
  declaredMime: DocumentMimeType,
): Promise<DocumentInspection> {
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    return fail('DOCUMENT_TOO_LARGE', `documents may be at most ${MAX_DOCUMENT_BYTES} bytes (3 MB)`);
  }
  if (bytes.length === 0) return fail('DOCUMENT_EMPTY', 'the document is empty');
  if (declaredMime === 'text/plain') return inspectText(bytes);
  return inspectPdf(bytes);
}
