/**
 * The create request of the national service's API: `multipart/mixed` with two unnamed parts told
 * apart by content type and order (the job request XML, then the zipped document bundle), sent
 * chunked. The body is read chunk by chunk and cut off as soon as it passes the limit, so an
 * endless or oversized body costs at most the limit in memory.
 */
import { BodyTooLargeError, readBodyCapped } from '../http/body-read.js';

/** Too large while streaming (413) or malformed (400): the adapter renders either as an `<error>`. */
export class MultipartError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MixedPart {
  contentType: string;
  /** The part's header lines as sent (latin1), for a caller that needs more than Content-Type. */
  headers: string;
  body: Uint8Array;
}

/** Reads a body stream into memory, failing with 413 the moment it exceeds `maxBytes`. */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Buffer> {
  if (!body) throw new MultipartError(400, 'EMPTY_BODY', 'the request has no body');
  try {
    return await readBodyCapped(body, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new MultipartError(413, 'BODY_TOO_LARGE', err.message);
    throw err;
  }
}

/** The boundary of a `multipart/mixed` content type, or a 400 naming what is wrong. */
export function mixedBoundary(contentType: string | undefined): string {
  const type = contentType ?? '';
  if (!/^multipart\/mixed\s*(;|$)/i.test(type)) {
    throw new MultipartError(
      400,
      'INVALID_CONTENT_TYPE',
      `Content-Type must be multipart/mixed, got ${type || 'none'}`,
    );
  }
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(type);
  if (!match)
    throw new MultipartError(400, 'INVALID_CONTENT_TYPE', 'the multipart/mixed Content-Type has no boundary');
  return (match[1] ?? match[2])!;
}

/** Splits a multipart body into its parts (headers parsed for Content-Type only). */
export function splitMultipart(body: Buffer, boundary: string, maxParts: number): MixedPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const malformed = (why: string) =>
    new MultipartError(400, 'MALFORMED_MULTIPART', `the multipart body is malformed: ${why}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw malformed('no boundary found');
  const parts: MixedPart[] = [];
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return parts; // the closing delimiter
    // The rest of the delimiter line (transport padding), then the part's headers.
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw malformed('a boundary line does not end');
    const headersEnd = body.indexOf('\r\n\r\n', lineEnd);
    if (headersEnd < 0) throw malformed('a part has no end of headers');
    const headerBlock =
      headersEnd === lineEnd ? '' : body.subarray(lineEnd + 2, headersEnd).toString('latin1');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next < 0) throw malformed('a part has no closing boundary');
    if (parts.length >= maxParts) throw malformed(`more than ${maxParts} parts`);
    const contentType =
      /(?:^|\r\n)content-type:\s*([^\r\n]*)/i.exec(headerBlock)?.[1]?.trim() ?? 'text/plain';
    parts.push({ contentType, headers: headerBlock, body: body.subarray(headersEnd + 4, next) });
    at = next + 2;
  }
}

const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/**
 * The two parts of a create request: the job request XML (application/xml, or text/xml) first,
 * then the document bundle (application/octet-stream, or a zip type).
 */
export function createRequestParts(
  body: Buffer,
  contentType: string | undefined,
): { xml: Uint8Array; bundle: Uint8Array } {
  const parts = splitMultipart(body, mixedBoundary(contentType), 2);
  if (parts.length !== 2) {
    throw new MultipartError(
      400,
      'MALFORMED_MULTIPART',
      `the body must have exactly two parts (request XML, document bundle), got ${parts.length}`,
    );
  }
  const [xml, bundle] = parts as [MixedPart, MixedPart];
  if (!['application/xml', 'text/xml'].includes(mediaType(xml.contentType))) {
    throw new MultipartError(
      400,
      'INVALID_PART',
      `the first part must be application/xml (the job request), got ${xml.contentType}`,
    );
  }
  if (
    !['application/octet-stream', 'application/zip', 'application/vnd.etsi.asic-e+zip'].includes(
      mediaType(bundle.contentType),
    )
  ) {
    throw new MultipartError(
      400,
      'INVALID_PART',
      `the second part must be application/octet-stream (the document bundle), got ${bundle.contentType}`,
    );
  }
  return { xml: xml.body, bundle: bundle.body };
}
