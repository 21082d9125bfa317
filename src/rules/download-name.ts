/**
 * The names downloads get: the job's title and the day it was signed (`<title>-signed-<date>.pdf`),
 * not an id nobody recognises in a downloads folder. Titles are free text, so the name is cleaned
 * for file systems, and the header carries it twice: an ASCII `filename` for old clients and the
 * exact UTF-8 name in `filename*` (RFC 6266 with RFC 8187's encoding).
 */
import { osloWallClock } from './oslo-time.js';

/** Longest title part of a name: file systems allow 255 bytes, and UTF-8 takes up to 4 a character. */
const MAX_TITLE_CHARS = 60;

/**
 * A title as part of a file name: characters no file system (or shell) takes in a name, control
 * characters and runs of spaces become one `-`; leading dots and dashes go (no hidden files);
 * `fallback` when nothing is left.
 */
export function fileNamePart(title: string, fallback = 'document'): string {
  const cleaned = title
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ')
    .trim()
    .replace(/\s+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '');
  const cut = [...cleaned]
    .slice(0, MAX_TITLE_CHARS)
    .join('')
    .replace(/[.-]+$/, '');
  return cut === '' ? fallback : cut;
}

/** The Oslo calendar day of `at` as YYYY-MM-DD (the day a Norwegian signer signed on). */
export function osloDate(at: Date): string {
  const { year, month, day } = osloWallClock(at);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The signed PDF: `<title>-signed-<yyyy-mm-dd>.pdf`, the date the job was sealed. */
export function signedPdfName(title: string, signedAt: Date): string {
  return `${fileNamePart(title)}-signed-${osloDate(signedAt)}.pdf`;
}

/** One signer's signature object: `<title>-signer-<n>-signed-<yyyy-mm-dd>.xml`, n as in the job's list. */
export function signatureObjectName(title: string, signerNumber: number, signedAt: Date): string {
  return `${fileNamePart(title)}-signer-${signerNumber}-signed-${osloDate(signedAt)}.xml`;
}

/**
 * The Content-Disposition header for `fileName`: `filename` in ASCII (other characters as `_`,
 * quotes and backslashes too, so the quoted string needs no escapes) and `filename*` with the
 * name itself, percent-encoded.
 */
export function contentDisposition(type: 'attachment' | 'inline', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
