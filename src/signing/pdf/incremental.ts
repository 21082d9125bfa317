/**
 * Incremental updates (ISO 32000-1 §7.5.6): new and changed objects are appended after the
 * existing bytes with their own cross-reference section whose trailer points back with /Prev.
 * The original bytes stay untouched, so signatures over them stay valid.
 *
 * Also the two-phase signature write: an update is laid out with placeholders for /ByteRange and
 * /Contents, the ByteRange is filled, the signed bytes are hashed, and the DER blob goes in last.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  BYTE_RANGE_WIDTH,
  PdfDict,
  PdfName,
  PdfRef,
  PdfSerializer,
  PdfString,
  type PdfValue,
  SignaturePlaceholder,
} from './objects.js';
import { type PdfReader, PdfSyntaxError } from './reader.js';

export class IncrementalUpdate {
  private readonly objects = new Map<number, { ref: PdfRef; value: PdfValue }>();
  private nextNumber: number;

  constructor(readonly reader: PdfReader) {
    this.nextNumber = reader.size;
    if (reader.revisions[0]?.isStream) {
      // Appending a classic table after a cross-reference stream makes a file some readers reject;
      // our packaging always writes classic tables (pdf-lib with useObjectStreams: false).
      throw new PdfSyntaxError('incremental update after a cross-reference stream is not supported');
    }
  }

  /** A fresh object number for a new object. */
  allocate(): PdfRef {
    return new PdfRef(this.nextNumber++);
  }

  /** Adds a new object, or a new version of an existing one. */
  set(ref: PdfRef, value: PdfValue): PdfRef {
    this.objects.set(ref.num, { ref, value });
    return ref;
  }

  add(value: PdfValue): PdfRef {
    return this.set(this.allocate(), value);
  }

  /** The latest version of an object: ours if this update changes it, else the file's. */
  get(ref: PdfRef): PdfValue {
    return this.objects.get(ref.num)?.value ?? this.reader.get(ref);
  }

  /**
   * Serialises the update. Returns the complete new file and, relative to its start, where the
   * signature placeholders are.
   */
  build(): { bytes: Uint8Array; placeholders: PdfSerializer['placeholders'] } {
    const original = this.reader.bytes;
    const s = new PdfSerializer();
    // Start on a fresh line even if the previous %%EOF had no line end.
    const last = original[original.length - 1];
    if (last !== 0x0a && last !== 0x0d) s.write('\n');
    const offsets = new Map<number, number>();
    const sorted = [...this.objects.values()].sort((a, b) => a.ref.num - b.ref.num);
    for (const { ref, value } of sorted) {
      offsets.set(ref.num, original.length + s.offset);
      s.writeIndirect(ref, value);
    }
    const xrefOffset = original.length + s.offset;
    s.write('xref\n');
    // Subsections of consecutive object numbers.
    let i = 0;
    while (i < sorted.length) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1]!.ref.num === sorted[j]!.ref.num + 1) j++;
      s.write(`${sorted[i]!.ref.num} ${j - i + 1}\n`);
      for (let k = i; k <= j; k++) {
        const { ref } = sorted[k]!;
        s.write(
          `${String(offsets.get(ref.num)).padStart(10, '0')} ${String(ref.gen).padStart(5, '0')} n\r\n`,
        );
      }
      i = j + 1;
    }
    const old = this.reader.trailer;
    const trailer = new PdfDict([
      ['Size', Math.max(this.nextNumber, this.reader.size)],
      ['Root', old.get('Root') ?? null],
      ['Prev', this.reader.startxref],
    ]);
    const info = old.get('Info');
    if (info) trailer.set('Info', info);
    // Keep the permanent first ID, give this revision a new second one (§14.4).
    const id = old.get('ID');
    const first =
      Array.isArray(id) && id[0] instanceof PdfString ? id[0] : new PdfString(randomBytes(16), true);
    trailer.set('ID', [first, new PdfString(randomBytes(16), true)]);
    s.write('trailer\n');
    s.writeValue(trailer);
    s.write(`\nstartxref\n${xrefOffset}\n%%EOF\n`);
    const update = s.toBytes();
    const bytes = new Uint8Array(original.length + update.length);
    bytes.set(original, 0);
    bytes.set(update, original.length);
    const placeholders = s.placeholders.map((p) => ({ ...p, offset: p.offset + original.length }));
    return { bytes, placeholders };
  }
}

/** Where a signature's DER blob goes, and the two signed byte ranges around it. */
export interface PreparedSignature {
  bytes: Uint8Array;
  byteRange: [number, number, number, number];
  contentsOffset: number;
  contentsCapacity: number;
  /** SHA-256 over the two ranges: what the CMS or time-stamp signs. */
  digest: Uint8Array;
}

/** Fills the /ByteRange of a built update and hashes what it covers. */
export function prepareSignature(built: ReturnType<IncrementalUpdate['build']>): PreparedSignature {
  const contents = built.placeholders.find((p) => p.kind === 'contents');
  const range = built.placeholders.find((p) => p.kind === 'byterange');
  if (!contents || !range) throw new Error('update has no signature placeholders');
  const { bytes } = built;
  const gapStart = contents.offset;
  const gapEnd = contents.offset + contents.width;
  const byteRange: [number, number, number, number] = [0, gapStart, gapEnd, bytes.length - gapEnd];
  const text = `[${byteRange.join(' ')}]`;
  if (text.length > BYTE_RANGE_WIDTH) throw new Error('file too large for the ByteRange placeholder');
  bytes.set(Buffer.from(`${text.slice(0, -1).padEnd(BYTE_RANGE_WIDTH - 1, ' ')}]`, 'latin1'), range.offset);
  const digest = new Uint8Array(
    createHash('sha256').update(bytes.subarray(0, gapStart)).update(bytes.subarray(gapEnd)).digest(),
  );
  return { bytes, byteRange, contentsOffset: gapStart, contentsCapacity: (contents.width - 2) / 2, digest };
}

/** Writes the DER blob, hex-encoded and zero-padded, into the reserved /Contents. */
export function fillSignature(prepared: PreparedSignature, der: Uint8Array): Uint8Array {
  if (der.length > prepared.contentsCapacity) {
    throw new Error(`signature of ${der.length} bytes does not fit ${prepared.contentsCapacity} reserved`);
  }
  const hex = Buffer.from(der).toString('hex').toUpperCase();
  prepared.bytes.set(Buffer.from(hex, 'latin1'), prepared.contentsOffset + 1);
  return prepared.bytes;
}

/**
 * Adds an invisible signature field (merged field + widget on `page`) whose value is `sigDict`,
 * registering it in the AcroForm. Returns the reference of the signature dictionary.
 */
export function addSignatureField(
  update: IncrementalUpdate,
  options: { fieldName: string; sigDict: PdfDict; page: PdfRef },
): PdfRef {
  const { reader } = update;
  const sigRef = update.add(options.sigDict);
  const widget = update.add(
    new PdfDict([
      ['Type', new PdfName('Annot')],
      ['Subtype', new PdfName('Widget')],
      ['FT', new PdfName('Sig')],
      ['T', PdfString.of(options.fieldName)],
      ['V', sigRef],
      // Print + Locked; a zero-size Rect keeps it invisible and needs no appearance (PDF/A-2/3).
      ['F', 132],
      ['Rect', [0, 0, 0, 0]],
      ['P', options.page],
    ]),
  );

  const page = reader.dict(update.get(options.page));
  if (!page) throw new PdfSyntaxError('signature page not found');
  const newPage = page.clone();
  const annots = reader.resolve(page.get('Annots'));
  newPage.set('Annots', [...(Array.isArray(annots) ? annots : []), widget]);
  update.set(options.page, newPage);

  const rootRef = reader.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new PdfSyntaxError('catalog is not an indirect object');
  const catalog = reader.dict(update.get(rootRef));
  if (!catalog) throw new PdfSyntaxError('no document catalog');
  const acroFormValue = catalog.get('AcroForm');
  const acroForm = (
    reader.dict(acroFormValue instanceof PdfRef ? update.get(acroFormValue) : acroFormValue) ?? new PdfDict()
  ).clone();
  const fields = reader.resolve(acroForm.get('Fields'));
  acroForm.set('Fields', [...(Array.isArray(fields) ? fields : []), widget]);
  acroForm.set('SigFlags', 3);
  if (acroFormValue instanceof PdfRef) update.set(acroFormValue, acroForm);
  else update.set(rootRef, catalog.clone().set('AcroForm', acroForm));
  return sigRef;
}

export const contentsPlaceholder = (size: number) => new SignaturePlaceholder('contents', size);
export const byteRangePlaceholder = () => new SignaturePlaceholder('byterange');
