/**
 * A PDF from outside read whole within the limits (./limits.ts), before pdf-lib or anything else
 * reads it: what a job document must pass at creation, and what packaging checks again before it
 * loads one. pdf-lib bounds nothing: on load it inflates every object stream it meets, its page
 * walk follows a page tree that repeats or contains itself, and the pages' content is inflated
 * when they are copied into the signed PDF. So this reads everything those steps will:
 *
 * - the page tree, from the catalog: at most `maxPages` pages, `maxDepth` levels, no node among
 *   its own kids (which would have pdf-lib walk forever), each lookup counted;
 * - every object in the file, found as pdf-lib finds them (a scan for `num gen obj`, not only the
 *   objects a cross-reference section lists), each parsed within the nesting cap;
 * - every stream's data decoded as far as the service would ever decode it (object streams,
 *   content, metadata, fonts, attachments), each within the stream, total and ratio caps, and the
 *   objects inside each object stream parsed too.
 *
 * Image data is not decoded: the service copies it as stored and never draws it, and a scanned
 * page in colour rightly decodes to more than a content stream ever should. A stream a page uses
 * as its content is decoded whatever its dictionary claims to be.
 *
 * The reading yields to the event loop every few milliseconds, so an API process checking a 3 MB
 * upload keeps answering others.
 */

import { decodeFilterChain, isDecodable } from './filters.js';
import { PdfLimitError, type PdfLimits, pdfLimitBreach, pdfLimits, withPdfLimits } from './limits.js';
import { type PdfDict, PdfName, PdfRef, PdfStream, type PdfValue } from './objects.js';
import { filterSteps, PdfLexer, PdfReader, PdfSyntaxError } from './reader.js';

export interface PdfIntake {
  /** Pages in the page tree, counted as a viewer counts them. */
  pageCount: number;
}

/**
 * Reads `bytes` as described above. Rejects with a PdfLimitError naming the first limit broken,
 * or a PdfSyntaxError when the cross-reference data or the catalog cannot be read at all.
 */
export async function readPdfWithinLimits(
  bytes: Uint8Array,
  limits: Partial<PdfLimits> = {},
): Promise<PdfIntake> {
  return withPdfLimits(async () => {
    const reader = PdfReader.open(bytes);
    const pages = walkPageTree(reader);
    await scanObjects(reader, bytes, pages.contentObjects);
    return { pageCount: pages.count };
  }, limits);
}

const isName = (v: PdfValue | undefined, name: string) => v instanceof PdfName && v.name === name;

function walkPageTree(reader: PdfReader): { count: number; contentObjects: Set<number> } {
  const limits = pdfLimits();
  const contentObjects = new Set<number>();
  let count = 0;
  const path = new Set<number>();
  const visit = (ref: PdfValue | undefined, depth: number): void => {
    if (!(ref instanceof PdfRef)) return;
    if (path.has(ref.num)) {
      throw pdfLimitBreach('PDF_REFERENCE_LOOP', `page tree node ${ref.num} is among its own kids`);
    }
    if (depth > limits.maxDepth) {
      throw pdfLimitBreach(
        'PDF_NESTING_TOO_DEEP',
        `the page tree is more than ${limits.maxDepth} levels deep`,
      );
    }
    const node = reader.dict(ref);
    if (!node) return;
    // A page is a leaf whatever else it holds, as pdf-lib sees it; any other node, its kids.
    if (!isName(node.get('Type'), 'Page')) {
      const kids = reader.resolve(node.get('Kids'));
      if (!Array.isArray(kids)) return;
      path.add(ref.num);
      for (const kid of kids) visit(kid, depth + 1);
      path.delete(ref.num);
      return;
    }
    if (++count > limits.maxPages) {
      throw pdfLimitBreach('PDF_TOO_MANY_PAGES', `the document has more than ${limits.maxPages} pages`);
    }
    // /Contents: a stream, an array of streams, or a reference to such an array.
    const contents = node.get('Contents');
    const list = contents instanceof PdfRef ? [contents, reader.resolve(contents)] : [contents];
    for (const c of list.flat()) if (c instanceof PdfRef) contentObjects.add(c.num);
  };
  visit(reader.catalog.get('Pages'), 0);
  return { count, contentObjects };
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isSpace = (c: number) =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;

/**
 * Offsets of every `num gen obj` header in the file, wherever it is (pdf-lib parses a file front
 * to back and does not need a cross-reference section to find an object). Found from each `obj`
 * backwards: a regular expression with a look-behind costs ten times as much on 3 MB.
 */
function* objectHeaders(bytes: Uint8Array): Generator<number> {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (
    let at = haystack.indexOf('obj', 0, 'latin1');
    at >= 0;
    at = haystack.indexOf('obj', at + 3, 'latin1')
  ) {
    const after = bytes[at + 3];
    // `obj` must be a whole keyword: not `objects` or `/ObjStm`-like runs (`endobj` fails below).
    if (after !== undefined && !isSpace(after) && !'()<>[]{}/%'.includes(String.fromCharCode(after)))
      continue;
    let i = at - 1;
    const spaces = () => {
      const from = i;
      while (i >= 0 && isSpace(bytes[i]!)) i--;
      return i < from;
    };
    const digits = () => {
      const from = i;
      while (i >= 0 && isDigit(bytes[i]!)) i--;
      return i < from;
    };
    if (!(spaces() && digits() && spaces() && digits())) continue;
    yield i + 1;
  }
}

/** Time the scan may run before it lets the event loop answer others. */
const SLICE_MS = 10;

async function scanObjects(reader: PdfReader, bytes: Uint8Array, contentObjects: Set<number>): Promise<void> {
  const limits = pdfLimits();
  let objects = 0;
  let sliceStart = performance.now();
  for (const offset of objectHeaders(bytes)) {
    if (++objects > limits.maxObjects) {
      throw pdfLimitBreach('PDF_TOO_MANY_OBJECTS', `the file holds more than ${limits.maxObjects} objects`);
    }
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    let found: { num: number; value: PdfValue };
    try {
      found = reader.objectAt(offset);
    } catch (err) {
      // Header-like bytes inside binary data, or an object damaged beyond reading: pdf-lib skips
      // those as well. A limit broken on the way is not skipped.
      if (err instanceof PdfSyntaxError) continue;
      throw err;
    }
    if (found.value instanceof PdfStream)
      decodeAsTheServiceWould(reader, found.value, contentObjects.has(found.num));
  }
}

function decodeAsTheServiceWould(reader: PdfReader, stream: PdfStream, isPageContent: boolean): void {
  if (isName(stream.dict.get('Subtype'), 'Image') && !isPageContent) return;
  const steps = filterSteps(stream, reader);
  const firstUndecodable = steps.findIndex((s) => !isDecodable(s));
  const decodable = firstUndecodable < 0 ? steps : steps.slice(0, firstUndecodable);
  let data: Uint8Array;
  try {
    data = decodeFilterChain(stream.data, decodable);
  } catch (err) {
    // Damaged compressed data is not a limit: the service copies such a stream as it is, and a
    // page whose content cannot be decoded fails packaging on its own.
    if (err instanceof PdfLimitError) throw err;
    return;
  }
  if (isName(stream.dict.get('Type'), 'ObjStm') && decodable.length === steps.length) {
    parseObjectStream(stream.dict, data);
  }
}

/** Every object pdf-lib will parse out of an object stream, parsed within the nesting cap. */
function parseObjectStream(dict: PdfDict, data: Uint8Array): void {
  const limits = pdfLimits();
  const n = Number(dict.get('N'));
  const first = Number(dict.get('First'));
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(first) || first < 0) return;
  if (n > limits.maxObjects) {
    throw pdfLimitBreach(
      'PDF_TOO_MANY_OBJECTS',
      `an object stream holds more than ${limits.maxObjects} objects`,
    );
  }
  const header = new PdfLexer(data, 0);
  for (let i = 0; i < n && header.pos < data.length; i++) {
    header.regular();
    const offset = Number(header.regular());
    if (!Number.isInteger(offset) || offset < 0) return;
    try {
      new PdfLexer(data, first + offset).value();
    } catch (err) {
      if (!(err instanceof PdfSyntaxError)) throw err;
    }
  }
}
