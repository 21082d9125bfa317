/**
 * A small PDF object model and its serialisation: just enough to read the few objects an
 * incremental update touches (trailer, catalog, AcroForm, a page, signature dictionaries) and to
 * write new ones. pdf-lib cannot be used for these steps: saving a signed PDF with it rewrites the
 * whole file and breaks every earlier signature.
 */

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    /** Written as <hex> rather than (literal). */
    readonly hex = false,
  ) {}
  static of(text: string): PdfString {
    return new PdfString(encodeTextString(text));
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen = 0,
  ) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

export class PdfDict {
  readonly entries: Map<string, PdfValue>;
  constructor(entries?: Iterable<[string, PdfValue]>) {
    this.entries = new Map(entries);
  }
  get(key: string): PdfValue | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: PdfValue): this {
    this.entries.set(key, value);
    return this;
  }
  clone(): PdfDict {
    return new PdfDict(this.entries);
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The stream's bytes as stored (still encoded by its /Filter). */
    readonly data: Uint8Array,
  ) {}
}

/** Space reserved in a signature dictionary, filled in after the file around it is final. */
export class SignaturePlaceholder {
  constructor(
    readonly kind: 'contents' | 'byterange',
    /** For contents: bytes reserved for the DER blob (hex doubles it). */
    readonly size = 0,
  ) {}
}

export type PdfValue =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfRef
  | PdfDict
  | PdfStream
  | SignaturePlaceholder
  | PdfValue[];

export const name = (n: string) => new PdfName(n);
export const dict = (entries: Record<string, PdfValue | undefined>) =>
  new PdfDict(Object.entries(entries).filter((e): e is [string, PdfValue] => e[1] !== undefined));

/** PDF text string: PDFDocEncoding covers ASCII only here; anything else goes as UTF-16BE with BOM. */
export function encodeTextString(text: string): Uint8Array {
  if (/^[\x20-\x7e]*$/.test(text)) return new TextEncoder().encode(text);
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 + i * 2] = c >> 8;
    out[3 + i * 2] = c & 0xff;
  }
  return out;
}

export function decodeTextString(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return s;
  }
  return Buffer.from(bytes).toString('latin1');
}

/** D:YYYYMMDDHHmmSSZ, the PDF date format, always in UTC. */
export function pdfDate(date: Date): string {
  const iso = date.toISOString();
  return `D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

const NAME_REGULAR = /^[!-~]$/;
const NAME_DELIMITERS = new Set([...'()<>[]{}/%#']);

function formatName(n: string): string {
  let out = '/';
  for (const ch of n) {
    if (NAME_REGULAR.test(ch) && !NAME_DELIMITERS.has(ch)) out += ch;
    else {
      for (const b of new TextEncoder().encode(ch)) out += `#${b.toString(16).padStart(2, '0')}`;
    }
  }
  return out;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function formatLiteralString(bytes: Uint8Array): string {
  let out = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

/** Width of the ByteRange placeholder: four numbers of up to 10 digits each. */
export const BYTE_RANGE_WIDTH = '[0 0000000000 0000000000 0000000000]'.length;

/**
 * Serialises objects into latin1 text chunks and raw byte chunks, remembering where signature
 * placeholders land so they can be filled once the final layout is known.
 */
export class PdfSerializer {
  private readonly chunks: Uint8Array[] = [];
  private text = '';
  private length = 0;
  readonly placeholders: { kind: SignaturePlaceholder['kind']; offset: number; width: number }[] = [];

  private flushText(): void {
    if (this.text) {
      this.chunks.push(Buffer.from(this.text, 'latin1'));
      this.text = '';
    }
  }

  get offset(): number {
    return this.length;
  }

  write(text: string): void {
    this.text += text;
    this.length += text.length;
  }

  writeBytes(bytes: Uint8Array): void {
    this.flushText();
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  writeValue(value: PdfValue): void {
    if (value === null) this.write('null');
    else if (typeof value === 'boolean') this.write(value ? 'true' : 'false');
    else if (typeof value === 'number') this.write(formatNumber(value));
    else if (value instanceof PdfName) this.write(formatName(value.name));
    else if (value instanceof PdfString) {
      this.write(
        value.hex ? `<${Buffer.from(value.bytes).toString('hex')}>` : formatLiteralString(value.bytes),
      );
    } else if (value instanceof PdfRef) this.write(value.toString());
    else if (Array.isArray(value)) {
      this.write('[');
      value.forEach((v, i) => {
        if (i > 0) this.write(' ');
        this.writeValue(v);
      });
      this.write(']');
    } else if (value instanceof PdfDict) {
      this.write('<<');
      for (const [k, v] of value.entries) {
        this.write(`${formatName(k)} `);
        this.writeValue(v);
        this.write('\n');
      }
      this.write('>>');
    } else if (value instanceof PdfStream) {
      const d = value.dict.clone().set('Length', value.data.length);
      this.writeValue(d);
      this.write('\nstream\n');
      this.writeBytes(value.data);
      this.write('\nendstream');
    } else if (value instanceof SignaturePlaceholder) {
      const text = value.kind === 'contents' ? `<${'0'.repeat(value.size * 2)}>` : BYTE_RANGE_WIDTH_TEXT;
      this.placeholders.push({ kind: value.kind, offset: this.length, width: text.length });
      this.write(text);
    }
  }

  writeIndirect(ref: PdfRef, value: PdfValue): void {
    this.write(`${ref.num} ${ref.gen} obj\n`);
    this.writeValue(value);
    this.write('\nendobj\n');
  }

  toBytes(): Uint8Array {
    this.flushText();
    return Buffer.concat(this.chunks);
  }
}

const BYTE_RANGE_WIDTH_TEXT = `[${' '.repeat(BYTE_RANGE_WIDTH - 2)}]`;
