import { PDFDocument, PDFName } from 'pdf-lib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  hasRawEncryptEntry,
  inspectDocument,
  pdfaPartFromXmp,
  pdfHeaderVersion,
} from '../../src/job/documents.js';
import { MAX_DOCUMENT_BYTES } from '../../src/job/model.js';

const encoder = new TextEncoder();
const ascii = (s: string) => encoder.encode(s);
// Node's 'latin1' is true ISO-8859-1 (one code point per byte), unlike TextDecoder's windows-1252,
// so binary PDF bytes survive the round trip through a string.
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const fromLatin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

async function makePdf(
  options: { pages?: number; objectStreams?: boolean; xmp?: string; compressXmp?: boolean } = {},
) {
  const doc = await PDFDocument.create();
  for (let i = 0; i < (options.pages ?? 1); i++) doc.addPage([595.28, 841.89]);
  if (options.xmp !== undefined) {
    const dict = { Type: 'Metadata', Subtype: 'XML' };
    const stream = options.compressXmp
      ? doc.context.flateStream(options.xmp, dict)
      : doc.context.stream(options.xmp, dict);
    doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
  }
  return doc.save({ useObjectStreams: options.objectStreams ?? false });
}

/** Replaces the `%PDF-1.7` header's version with another three-character version. */
function withHeader(bytes: Uint8Array, version: string): Uint8Array {
  const copy = bytes.slice();
  copy.set(ascii(version), 5);
  return copy;
}

/** Inserts text right after the first match of `marker` (offsets before it stay valid). */
function insertAfter(bytes: Uint8Array, marker: string, insertion: string): Uint8Array {
  const text = latin1(bytes);
  const index = text.lastIndexOf(marker);
  if (index < 0) throw new Error(`marker ${marker} not found`);
  return fromLatin1(text.slice(0, index + marker.length) + insertion + text.slice(index + marker.length));
}

const xmpFor = (part: string, attributeStyle: boolean) => `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"${
  attributeStyle
    ? ` pdfaid:part="${part}" pdfaid:conformance="B"/>`
    : `><pdfaid:part>${part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>`
}
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

let plainPdf: Uint8Array;

beforeAll(async () => {
  plainPdf = await makePdf();
  // pdf-lib warns on the console while recovering from the deliberately broken files below.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

describe('inspectDocument: PDF', () => {
  it('accepts a PDF 1.7 made by pdf-lib, with and without object streams', async () => {
    expect(await inspectDocument(plainPdf, 'application/pdf')).toEqual({
      ok: true,
      kind: 'PDF',
      pdfVersion: '1.7',
      pageCount: 1,
    });
    const withObjectStreams = await makePdf({ objectStreams: true, pages: 3 });
    expect(await inspectDocument(withObjectStreams, 'application/pdf')).toMatchObject({
      ok: true,
      pageCount: 3,
    });
  });

  it.each(['1.1', '1.4', '1.7'])('accepts header version %s', async (version) => {
    expect(await inspectDocument(withHeader(plainPdf, version), 'application/pdf')).toMatchObject({
      ok: true,
      pdfVersion: version,
    });
  });

  it.each(['1.0', '1.8', '2.0', '3.1'])('refuses header version %s', async (version) => {
    expect(await inspectDocument(withHeader(plainPdf, version), 'application/pdf')).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED_PDF_VERSION',
    });
  });

  it('refuses a catalog /Version 2.0 that raises a 1.7 header', async () => {
    const doc = await PDFDocument.load(plainPdf);
    doc.catalog.set(PDFName.of('Version'), PDFName.of('2.0'));
    const bytes = await doc.save({ useObjectStreams: false });
    expect(await inspectDocument(bytes, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED_PDF_VERSION',
    });
  });

  it('finds the header after leading junk within the first 1024 bytes, not beyond', async () => {
    expect(pdfHeaderVersion(fromLatin1(`${' '.repeat(1000)}%PDF-1.4`))).toEqual({ major: 1, minor: 4 });
    expect(pdfHeaderVersion(fromLatin1(`${' '.repeat(1024)}%PDF-1.4`))).toBeUndefined();
    const late = new Uint8Array(2000 + plainPdf.length);
    late.set(plainPdf, 2000);
    expect(await inspectDocument(late, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'MIME_TYPE_MISMATCH',
    });
  });

  it('detects PDF/A from pdfaid:part in the XMP metadata (attribute and element form, compressed or not)', async () => {
    const attribute = await makePdf({ xmp: xmpFor('2', true) });
    expect(await inspectDocument(attribute, 'application/pdf')).toEqual({
      ok: true,
      kind: 'PDF_A',
      pdfVersion: '1.7',
      pdfaPart: 2,
      pageCount: 1,
    });
    const element = await makePdf({ xmp: xmpFor('3', false), compressXmp: true });
    expect(await inspectDocument(element, 'application/pdf')).toMatchObject({ kind: 'PDF_A', pdfaPart: 3 });
    const noPdfaid = await makePdf({ xmp: '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>' });
    expect(await inspectDocument(noPdfaid, 'application/pdf')).toMatchObject({ kind: 'PDF' });
  });

  it('reads pdfaid:part from XMP text', () => {
    expect(pdfaPartFromXmp('pdfaid:part="1"')).toBe(1);
    expect(pdfaPartFromXmp("pdfaid:part = '2'")).toBe(2);
    expect(pdfaPartFromXmp('<pdfaid:part>3</pdfaid:part>')).toBe(3);
    expect(pdfaPartFromXmp('<pdfaid:conformance>B</pdfaid:conformance>')).toBeUndefined();
  });

  it('refuses a PDF with /Encrypt in its classic trailer', async () => {
    const encrypted = insertAfter(plainPdf, 'trailer\n<<', '\n/Encrypt 99 0 R');
    expect(hasRawEncryptEntry(encrypted)).toBe(true);
    expect(await inspectDocument(encrypted, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'ENCRYPTED_PDF',
    });
  });

  it('refuses a PDF with /Encrypt in its cross-reference stream dictionary', async () => {
    const withXrefStream = await makePdf({ objectStreams: true });
    expect(latin1(withXrefStream)).toContain('/Type /XRef');
    const encrypted = insertAfter(
      withXrefStream,
      '/Type /XRef',
      '\n/Encrypt << /Filter /Standard /V 2 /R 3 >>',
    );
    expect(await inspectDocument(encrypted, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'ENCRYPTED_PDF',
    });
  });

  it('still refuses an /Encrypt entry the byte scan misses, through the parser (a comment in between)', async () => {
    const sneaky = insertAfter(plainPdf, 'trailer\n<<', '\n/Encrypt %hidden\n99 0 R');
    expect(hasRawEncryptEntry(sneaky)).toBe(false);
    expect(await inspectDocument(sneaky, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'ENCRYPTED_PDF',
    });
  });

  it('does not mistake /EncryptMetadata or text mentioning Encrypt for encryption', () => {
    expect(hasRawEncryptEntry(ascii('<< /EncryptMetadata false >>'))).toBe(false);
    expect(hasRawEncryptEntry(ascii('BT (How to /Encrypt files) Tj ET'))).toBe(false);
  });

  it('refuses a PDF without pages as unparsable', async () => {
    const empty = await (await PDFDocument.create()).save({ addDefaultPage: false });
    expect(await inspectDocument(empty, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'UNPARSABLE_PDF',
    });
  });

  it.each([
    ['a header followed by garbage', '%PDF-1.4\nthis is not a PDF at all'],
    ['a truncated file', null],
  ])('refuses %s as unparsable', async (_, content) => {
    const bytes = content === null ? plainPdf.subarray(0, 200) : ascii(content);
    expect(await inspectDocument(bytes, 'application/pdf')).toMatchObject({
      ok: false,
      code: 'UNPARSABLE_PDF',
    });
  });

  it('refuses a declared PDF that is text', async () => {
    expect(await inspectDocument(ascii('Hello, world'), 'application/pdf')).toMatchObject({
      ok: false,
      code: 'MIME_TYPE_MISMATCH',
    });
  });
});

describe('inspectDocument: size', () => {
  it('refuses an empty document', async () => {
    expect(await inspectDocument(new Uint8Array(0), 'application/pdf')).toMatchObject({
      code: 'DOCUMENT_EMPTY',
    });
    expect(await inspectDocument(new Uint8Array(0), 'text/plain')).toMatchObject({ code: 'DOCUMENT_EMPTY' });
  });

  it('accepts exactly 3,145,728 bytes and refuses one byte more', async () => {
    const atLimit = new Uint8Array(MAX_DOCUMENT_BYTES).fill(0x61);
    expect(await inspectDocument(atLimit, 'text/plain')).toEqual({ ok: true, kind: 'TEXT' });
    const overLimit = new Uint8Array(MAX_DOCUMENT_BYTES + 1).fill(0x61);
    expect(await inspectDocument(overLimit, 'text/plain')).toMatchObject({
      ok: false,
      code: 'DOCUMENT_TOO_LARGE',
    });
    expect(await inspectDocument(overLimit, 'application/pdf')).toMatchObject({ code: 'DOCUMENT_TOO_LARGE' });
  });
});

describe('inspectDocument: text', () => {
  it.each([
    ['ASCII', ascii('Employment contract\r\n\tSection 1\f')],
    ['Norwegian UTF-8', ascii('Arbeidsavtale for Åse Ærø – æøå ÆØÅ')],
    ['UTF-8 with BOM', Uint8Array.from([0xef, 0xbb, 0xbf, ...ascii('Hei')])],
    ['emoji (4-byte UTF-8)', ascii('Signed ✍️ 🖋')],
  ])('accepts %s', async (_, bytes) => {
    expect(await inspectDocument(bytes, 'text/plain')).toEqual({ ok: true, kind: 'TEXT' });
  });

  it.each([
    ['Latin-1 å', Uint8Array.from([0x48, 0x65, 0x69, 0x20, 0xe5])],
    ['a truncated multi-byte sequence', Uint8Array.from([0x41, 0xc3])],
    ['an overlong encoding', Uint8Array.from([0xc0, 0xaf])],
    ['an encoded surrogate', Uint8Array.from([0xed, 0xa0, 0x80])],
    ['UTF-16 with BOM', Uint8Array.from([0xff, 0xfe, 0x48, 0x00])],
    ['a NUL byte', ascii('Hei\u0000på deg')],
    ['an escape control character', ascii('Hei \u001b[31m')],
  ])('refuses %s as INVALID_TEXT_ENCODING', async (_, bytes) => {
    expect(await inspectDocument(bytes, 'text/plain')).toMatchObject({
      ok: false,
      code: 'INVALID_TEXT_ENCODING',
    });
  });

  it('refuses a PDF or binary file declared as text', async () => {
    expect(await inspectDocument(plainPdf, 'text/plain')).toMatchObject({ code: 'MIME_TYPE_MISMATCH' });
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await inspectDocument(png, 'text/plain')).toMatchObject({ code: 'MIME_TYPE_MISMATCH' });
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    expect(await inspectDocument(zip, 'text/plain')).toMatchObject({ code: 'MIME_TYPE_MISMATCH' });
  });

  it('accepts a text that merely mentions "%PDF-"', async () => {
    expect(await inspectDocument(ascii('Files start with %PDF-1.7, see ISO 32000.'), 'text/plain')).toEqual({
      ok: true,
      kind: 'TEXT',
    });
  });

  it('refuses an ASCII-only PDF declared as text', async () => {
    expect(await inspectDocument(ascii('%PDF-1.4\n1 0 obj\n<< >>\nendobj\n'), 'text/plain')).toMatchObject({
      code: 'MIME_TYPE_MISMATCH',
    });
  });

  it('refuses a text of only a BOM as empty', async () => {
    expect(await inspectDocument(Uint8Array.from([0xef, 0xbb, 0xbf]), 'text/plain')).toMatchObject({
      code: 'DOCUMENT_EMPTY',
    });
  });
});
