/**
 * A lazy PDF reader: follows `startxref` to the cross-reference data (tables and streams, through
 * every /Prev), and parses only the objects that are asked for. Opening a 3 MB file costs a scan
 * of its cross-reference sections, not of its content, which is what keeps the seal step fast.
 */
import { decodeFilterChain, type FilterStep } from './filters.js';
import { pdfLimitBreach, pdfLimits } from './limits.js';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.js';

export class PdfSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfSyntaxError';
  }
}

/** A growing byte buffer: a string's bytes take one byte each, not a JS number each. */
class ByteSink {
  private buf = new Uint8Array(64);
  private length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = b;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
/** Per byte: 1 whitespace, 2 delimiter, 0 regular (a table: the lexer asks for every byte). */
const BYTE_CLASS = new Uint8Array(256);
for (const b of WHITESPACE) BYTE_CLASS[b] = 1;
for (const b of DELIMITERS) BYTE_CLASS[b] = 2;

/**
 * Bytes as a string of one char per byte. Tokens are short: building the string directly is
 * several times cheaper than a Buffer per token, which made a 300-page document's reading slow.
 */
function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

/** Parses PDF values out of a byte buffer from a given position. */
export class PdfLexer {
  /** Arrays and dictionaries open around the value being read. */
  private depth = 0;

  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  /** Nesting is recursion here: capped, so `[[[[…` cannot exhaust the stack. */
  private enter(): void {
    if (++this.depth > pdfLimits().maxDepth) {
      throw pdfLimitBreach(
        'PDF_NESTING_TOO_DEEP',
        `values nested more than ${pdfLimits().maxDepth} deep at ${this.pos}`,
      );
    }
  }

  skipWhitespace(): void {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (BYTE_CLASS[c] === 1) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** A run of regular characters (a keyword or number). */
  regular(): string {
    this.skipWhitespace();
    const start = this.pos;
    const b = this.bytes;
    while (this.pos < b.length && BYTE_CLASS[b[this.pos]!] === 0) this.pos++;
    return latin1(b, start, this.pos);
  }

  expectKeyword(word: string): void {
    const got = this.regular();
    if (got !== word) throw new PdfSyntaxError(`expected "${word}" at ${this.pos}, found "${got}"`);
  }

  /** Reads `num gen obj` and returns the object number and generation. */
  objectHeader(): { num: number; gen: number } {
    const num = Number(this.regular());
    const gen = Number(this.regular());
    this.expectKeyword('obj');
    if (!Number.isInteger(num) || !Number.isInteger(gen))
      throw new PdfSyntaxError(`bad object header at ${this.pos}`);
    return { num, gen };
  }

  value(): PdfValue {
    this.skipWhitespace();
    const b = this.bytes;
    const c = b[this.pos];
    if (c === undefined) throw new PdfSyntaxError('unexpected end of file');
    if (c === 0x2f) return this.nameValue();
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) return this.dictionary();
      return this.hexString();
    }
    if (c === 0x5b) {
      this.pos++;
      this.enter();
      const items: PdfValue[] = [];
      for (;;) {
        this.skipWhitespace();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          this.depth--;
          return items;
        }
        if (this.pos >= b.length) throw new PdfSyntaxError('unterminated array');
        items.push(this.value());
      }
    }
    const word = this.regular();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (word === '') throw new PdfSyntaxError(`unexpected byte ${c} at ${this.pos}`);
    const n = Number(word);
    if (Number.isNaN(n)) throw new PdfSyntaxError(`unexpected token "${word}" at ${this.pos}`);
    // An integer may start an indirect reference `num gen R`.
    if (Number.isInteger(n) && n >= 0) {
      const save = this.pos;
      this.skipWhitespace();
      if (isDigit(b[this.pos])) {
        const gen = this.regular();
        this.skipWhitespace();
        if (b[this.pos] === 0x52 /* R */) {
          const after = b[this.pos + 1];
          if (after === undefined || BYTE_CLASS[after] !== 0) {
            this.pos++;
            return new PdfRef(n, Number(gen));
          }
        }
      }
      this.pos = save;
    }
    return n;
  }

  private nameValue(): PdfName {
    this.pos++;
    const start = this.pos;
    const b = this.bytes;
    while (this.pos < b.length && BYTE_CLASS[b[this.pos]!] === 0) this.pos++;
    const rawName = latin1(b, start, this.pos);
    if (!rawName.includes('#')) return new PdfName(rawName);
    return new PdfName(
      rawName.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    );
  }

  private literalString(): PdfString {
    const b = this.bytes;
    this.pos++;
    const out = new ByteSink();
    let depth = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const e = b[this.pos++];
        if (e === undefined) break;
        const simple: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };
        if (simple[e] !== undefined) out.push(simple[e]!);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let i = 0; i < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; i++)
            v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) out.push(e);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) return new PdfString(out.bytes());
        out.push(c);
      } else out.push(c);
    }
    throw new PdfSyntaxError('unterminated string');
  }

  private hexString(): PdfString {
    const b = this.bytes;
    const end = b.indexOf(0x3e, this.pos);
    if (end < 0) throw new PdfSyntaxError('unterminated hex string');
    let hex = Buffer.from(b.subarray(this.pos + 1, end))
      .toString('latin1')
      .replace(/[^0-9a-fA-F]/g, '');
    if (hex.length % 2) hex += '0';
    this.pos = end + 1;
    return new PdfString(new Uint8Array(Buffer.from(hex, 'hex')), true);
  }

  private dictionary(): PdfDict {
    const b = this.bytes;
    this.pos += 2;
    this.enter();
    const d = new PdfDict();
    for (;;) {
      this.skipWhitespace();
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        this.depth--;
        return d;
      }
      if (this.pos >= b.length) throw new PdfSyntaxError('unterminated dictionary');
      const key = this.value();
      if (!(key instanceof PdfName)) throw new PdfSyntaxError(`dictionary key is not a name at ${this.pos}`);
      d.set(key.name, this.value());
    }
  }
}

type XrefEntry =
  | { kind: 'offset'; offset: number; gen: number }
  | { kind: 'compressed'; stream: number; index: number };

/** Where a revision's cross-reference section is, and its trailer. */
export interface Revision {
  xrefOffset: number;
  trailer: PdfDict;
  /** The section is a cross-reference stream (PDF 1.5+) rather than a table. */
  isStream: boolean;
}

export class PdfReader {
  private readonly xref = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PdfValue>();
  /** Object streams decoded and indexed, each once however many objects are read from it. */
  private readonly objectStreams = new Map<number, { data: Uint8Array; first: number; offsets: number[] }>();
  /** Objects being parsed now: meeting one again means its references loop. */
  private readonly resolving = new Set<number>();
  private lookups = 0;
  /** The newest revision first. */
  readonly revisions: Revision[] = [];

  private constructor(readonly bytes: Uint8Array) {}

  static open(bytes: Uint8Array): PdfReader {
    const reader = new PdfReader(bytes);
    reader.loadCrossReferences();
    return reader;
  }

  /** The trailer of the newest revision. */
  get trailer(): PdfDict {
    return this.revisions[0]!.trailer;
  }

  /** Offset of the newest cross-reference section (what an update's /Prev points at). */
  get startxref(): number {
    return this.revisions[0]!.xrefOffset;
  }

  /** /Size: one more than the highest object number in use. */
  get size(): number {
    const s = this.trailer.get('Size');
    let max = typeof s === 'number' ? s : 0;
    for (const num of this.xref.keys()) max = Math.max(max, num + 1);
    return max;
  }

  private loadCrossReferences(): void {
    const tailStart = Math.max(0, this.bytes.length - 2048);
    const tail = Buffer.from(this.bytes.subarray(tailStart)).toString('latin1');
    const at = tail.lastIndexOf('startxref');
    if (at < 0) throw new PdfSyntaxError('no startxref: not a PDF or truncated');
    const lexer = new PdfLexer(this.bytes, tailStart + at + 'startxref'.length);
    let offset: number | undefined = Number(lexer.regular());
    const seen = new Set<number>();
    while (offset !== undefined) {
      if (this.revisions.length >= pdfLimits().maxRevisions) {
        throw pdfLimitBreach('PDF_TOO_MANY_REVISIONS', `more than ${pdfLimits().maxRevisions} revisions`);
      }
      if (seen.has(offset) || !(offset >= 0 && offset < this.bytes.length)) {
        throw new PdfSyntaxError(`bad cross-reference offset ${offset}`);
      }
      seen.add(offset);
      const revision = this.readSection(offset);
      this.revisions.push(revision);
      const hybrid = revision.trailer.get('XRefStm');
      if (typeof hybrid === 'number' && !seen.has(hybrid)) {
        seen.add(hybrid);
        this.readSection(hybrid);
      }
      const prev = revision.trailer.get('Prev');
      offset = typeof prev === 'number' ? prev : undefined;
    }
  }

  private readSection(offset: number): Revision {
    const lexer = new PdfLexer(this.bytes, offset);
    lexer.skipWhitespace();
    const save = lexer.pos;
    if (lexer.regular() === 'xref') return this.readTable(lexer, offset);
    lexer.pos = save;
    return this.readStreamSection(lexer, offset);
  }

  private remember(num: number, entry: XrefEntry): void {
    // Sections are read newest first, so the first entry seen for a number wins.
    if (!this.xref.has(num)) this.xref.set(num, entry);
  }

  /** A cross-reference subsection of `count` entries, refused before it is read if too many. */
  private checkObjectCount(count: number): void {
    const max = pdfLimits().maxObjects;
    if (count > max || this.xref.size + count > max) {
      throw pdfLimitBreach('PDF_TOO_MANY_OBJECTS', `the cross-reference data lists more than ${max} objects`);
    }
  }

  private readTable(lexer: PdfLexer, offset: number): Revision {
    for (;;) {
      lexer.skipWhitespace();
      const save = lexer.pos;
      const word = lexer.regular();
      if (word === 'trailer') break;
      const start = Number(word);
      const count = Number(lexer.regular());
      if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
        lexer.pos = save;
        throw new PdfSyntaxError(`bad xref subsection at ${save}`);
      }
      this.checkObjectCount(count);
      // Each entry is 20 bytes: a count the file cannot hold is a truncation, not a loop to run.
      if (lexer.pos + count * 18 > this.bytes.length)
        throw new PdfSyntaxError(`truncated xref subsection at ${save}`);
      for (let i = 0; i < count; i++) {
        const off = Number(lexer.regular());
        const gen = Number(lexer.regular());
        const type = lexer.regular();
        if (type === 'n' && off > 0) this.remember(start + i, { kind: 'offset', offset: off, gen });
        else if (type === 'f')
          this.xref.has(start + i) || this.xref.set(start + i, { kind: 'offset', offset: 0, gen: -1 });
      }
    }
    const trailer = lexer.value();
    if (!(trailer instanceof PdfDict)) throw new PdfSyntaxError('trailer is not a dictionary');
    return { xrefOffset: offset, trailer, isStream: false };
  }

  private readStreamSection(lexer: PdfLexer, offset: number): Revision {
    const parsed = this.parseIndirectAt(offset);
    const stream = parsed.value;
    if (!(stream instanceof PdfStream) || (stream.dict.get('Type') as PdfName | undefined)?.name !== 'XRef') {
      throw new PdfSyntaxError(`no cross-reference table or stream at ${lexer.pos}`);
    }
    const data = decodeStream(stream);
    const wValue = stream.dict.get('W');
    const w = (Array.isArray(wValue) ? wValue : []).map(Number);
    // Fields wider than 8 bytes hold no offset a file can have; a huge width would loop per byte.
    if (w.length !== 3 || !w.every((n) => Number.isInteger(n) && n >= 0 && n <= 8)) {
      throw new PdfSyntaxError(`bad /W in the cross-reference stream at ${offset}`);
    }
    const size = Number(stream.dict.get('Size'));
    const indexValue = stream.dict.get('Index');
    const index = (Array.isArray(indexValue) ? indexValue : [0, size]).map(Number);
    const rowLength = w.reduce((a, b) => a + b, 0);
    const rowsHeld = rowLength > 0 ? Math.floor(data.length / rowLength) : 0;
    const field = (row: number, f: number, dflt: number) => {
      if (w[f] === 0) return dflt;
      let at = row * rowLength;
      for (let i = 0; i < f; i++) at += w[i]!;
      let v = 0;
      for (let i = 0; i < w[f]!; i++) v = v * 256 + data[at + i]!;
      return v;
    };
    let row = 0;
    for (let s = 0; s + 1 < index.length; s += 2) {
      const first = index[s]!;
      const count = index[s + 1]!;
      if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) {
        throw new PdfSyntaxError(`bad /Index in the cross-reference stream at ${offset}`);
      }
      this.checkObjectCount(count);
      // Rows the stream does not hold are a truncation, not entries to invent.
      if (row + count > rowsHeld) throw new PdfSyntaxError(`truncated cross-reference stream at ${offset}`);
      for (let i = 0; i < count; i++, row++) {
        const type = field(row, 0, 1);
        const num = first + i;
        if (type === 1)
          this.remember(num, { kind: 'offset', offset: field(row, 1, 0), gen: field(row, 2, 0) });
        else if (type === 2)
          this.remember(num, { kind: 'compressed', stream: field(row, 1, 0), index: field(row, 2, 0) });
        else if (!this.xref.has(num)) this.xref.set(num, { kind: 'offset', offset: 0, gen: -1 });
      }
    }
    return { xrefOffset: offset, trailer: stream.dict, isStream: true };
  }

  /** Parses `num gen obj <value> [stream…]` at an offset. */
  private parseIndirectAt(offset: number): { num: number; gen: number; value: PdfValue } {
    const lexer = new PdfLexer(this.bytes, offset);
    const { num, gen } = lexer.objectHeader();
    const value = lexer.value();
    if (value instanceof PdfDict) {
      const save = lexer.pos;
      if (lexer.regular() === 'stream') {
        let pos = lexer.pos;
        if (this.bytes[pos] === 0x0d) pos++;
        if (this.bytes[pos] === 0x0a) pos++;
        const lengthValue = value.get('Length');
        let length = typeof lengthValue === 'number' ? lengthValue : undefined;
        if (lengthValue instanceof PdfRef && lengthValue.num !== num) {
          const resolved = this.get(lengthValue);
          length = typeof resolved === 'number' ? resolved : undefined;
        }
        if (length === undefined || !this.looksLikeStreamEnd(pos + length)) {
          const found = this.nextEndstream(pos);
          if (found < 0) throw new PdfSyntaxError(`stream of object ${num} has no end`);
          length = found - pos;
          while (
            length > 0 &&
            (this.bytes[pos + length - 1] === 0x0a || this.bytes[pos + length - 1] === 0x0d)
          ) {
            length--;
          }
        }
        return { num, gen, value: new PdfStream(value, this.bytes.subarray(pos, pos + length)) };
      }
      lexer.pos = save;
    }
    return { num, gen, value };
  }

  /** Offsets of every `endstream` keyword, found once (see nextEndstream). */
  private endstreams?: number[];

  /**
   * Where the first `endstream` at or after `pos` starts, or -1. The file is searched once: a
   * search per stream would make many streams without a valid /Length quadratic in the file size.
   */
  private nextEndstream(pos: number): number {
    if (!this.endstreams) {
      const haystack = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
      const found: number[] = [];
      for (let at = haystack.indexOf('endstream', 0, 'latin1'); at >= 0; ) {
        found.push(at);
        at = haystack.indexOf('endstream', at + 1, 'latin1');
      }
      this.endstreams = found;
    }
    const all = this.endstreams;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo < all.length ? all[lo]! : -1;
  }

  /**
   * The indirect object whose header (`num gen obj`) starts at `offset`, as stored there: what a
   * scan of the whole file finds, including objects no cross-reference section lists.
   */
  objectAt(offset: number): { num: number; gen: number; value: PdfValue } {
    return this.parseIndirectAt(offset);
  }

  private looksLikeStreamEnd(at: number): boolean {
    const lexer = new PdfLexer(this.bytes, at);
    if (at > this.bytes.length) return false;
    return lexer.regular() === 'endstream';
  }

  /** The object a reference points at (null when it does not exist, as the PDF spec says). */
  get(ref: PdfRef): PdfValue {
    // Every lookup counts, cached or not: a tree whose kids repeat each other is walked from the
    // cache, and it is the walk that must end.
    if (++this.lookups > pdfLimits().maxLookups) {
      throw pdfLimitBreach('PDF_TOO_MANY_LOOKUPS', `more than ${pdfLimits().maxLookups} object lookups`);
    }
    if (this.cache.has(ref.num)) return this.cache.get(ref.num)!;
    if (this.resolving.has(ref.num) || this.resolving.size >= pdfLimits().maxDepth) {
      throw pdfLimitBreach(
        'PDF_REFERENCE_LOOP',
        `object ${ref.num} is needed to read itself (through /Length or an object stream)`,
      );
    }
    this.resolving.add(ref.num);
    try {
      const entry = this.xref.get(ref.num);
      let value: PdfValue = null;
      if (entry?.kind === 'offset' && entry.gen >= 0) {
        const parsed = this.parseIndirectAt(entry.offset);
        if (parsed.num !== ref.num)
          throw new PdfSyntaxError(`xref points object ${ref.num} at object ${parsed.num}`);
        value = parsed.value;
      } else if (entry?.kind === 'compressed') {
        value = this.fromObjectStream(entry.stream, entry.index);
      }
      this.cache.set(ref.num, value);
      return value;
    } finally {
      this.resolving.delete(ref.num);
    }
  }

  /** Follows a reference if the value is one. */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return value instanceof PdfRef ? this.get(value) : value;
  }

  dict(value: PdfValue | undefined): PdfDict | undefined {
    const v = this.resolve(value);
    return v instanceof PdfDict ? v : v instanceof PdfStream ? v.dict : undefined;
  }

  private fromObjectStream(streamNum: number, index: number): PdfValue {
    const { data, first, offsets } = this.objectStream(streamNum);
    const at = offsets[index];
    if (at === undefined) throw new PdfSyntaxError(`object stream ${streamNum} has no entry ${index}`);
    return new PdfLexer(data, first + at).value();
  }

  private objectStream(streamNum: number): { data: Uint8Array; first: number; offsets: number[] } {
    const known = this.objectStreams.get(streamNum);
    if (known) return known;
    const stream = this.get(new PdfRef(streamNum));
    if (!(stream instanceof PdfStream)) throw new PdfSyntaxError(`object stream ${streamNum} missing`);
    const data = decodeStream(stream);
    const n = Number(stream.dict.get('N'));
    const first = Number(stream.dict.get('First'));
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(first) || first < 0) {
      throw new PdfSyntaxError(`object stream ${streamNum} has a bad /N or /First`);
    }
    if (n > pdfLimits().maxObjects) {
      throw pdfLimitBreach(
        'PDF_TOO_MANY_OBJECTS',
        `object stream ${streamNum} holds more than ${pdfLimits().maxObjects} objects`,
      );
    }
    const lexer = new PdfLexer(data, 0);
    const offsets: number[] = [];
    // The header ends where the data does, whatever /N claims.
    for (let i = 0; i < n && lexer.pos < data.length; i++) {
      lexer.regular();
      offsets.push(Number(lexer.regular()));
    }
    const indexed = { data, first, offsets };
    this.objectStreams.set(streamNum, indexed);
    return indexed;
  }

  get catalog(): PdfDict {
    const root = this.dict(this.trailer.get('Root'));
    if (!root) throw new PdfSyntaxError('no document catalog');
    return root;
  }

  /**
   * The last page, found by walking down the last kid of each page-tree node: a signature widget
   * needs one page, and visiting all of a 300-page tree would cost more than the signing.
   */
  lastPageRef(): PdfRef | undefined {
    let ref: PdfValue | undefined = this.catalog.get('Pages');
    for (let depth = 0; depth < 64 && ref instanceof PdfRef; depth++) {
      const node = this.dict(ref);
      if (!node) return undefined;
      const type = node.get('Type');
      if (type instanceof PdfName && type.name === 'Page') return ref;
      const kids = this.resolve(node.get('Kids'));
      if (!Array.isArray(kids) || kids.length === 0) return undefined;
      ref = kids[kids.length - 1];
    }
    return undefined;
  }

  /** References of all pages, in order. */
  pageRefs(): PdfRef[] {
    const out: PdfRef[] = [];
    const visit = (ref: PdfValue | undefined, depth: number) => {
      if (!(ref instanceof PdfRef) || depth > 64) return;
      const node = this.dict(ref);
      if (!node) return;
      const type = node.get('Type');
      if (type instanceof PdfName && type.name === 'Page') out.push(ref);
      else {
        const kids = this.resolve(node.get('Kids'));
        if (Array.isArray(kids)) for (const k of kids) visit(k, depth + 1);
      }
    };
    visit(this.catalog.get('Pages'), 0);
    return out;
  }
}

/** Streams already decoded: each is inflated once, however often it is read. */
const decoded = new WeakMap<PdfStream, Uint8Array>();

/** A stream's /Filter chain with the /DecodeParms that change its output (references followed). */
export function filterSteps(stream: PdfStream, reader?: PdfReader): FilterStep[] {
  const resolve = (v: PdfValue | undefined) => (reader ? reader.resolve(v) : v);
  const filter = resolve(stream.dict.get('Filter'));
  const parms = resolve(stream.dict.get('DecodeParms'));
  const names = Array.isArray(filter) ? filter.map(resolve) : filter ? [filter] : [];
  return names.map((f, i) => {
    // One /DecodeParms for a chain belongs to its last filter (where the predictor is undone).
    const p = resolve(Array.isArray(parms) ? parms[i] : i === names.length - 1 ? parms : undefined);
    const number = (key: string) => {
      const v = p instanceof PdfDict ? resolve(p.get(key)) : undefined;
      return typeof v === 'number' ? v : undefined;
    };
    return {
      name: f instanceof PdfName ? f.name : String(f),
      predictor: number('Predictor'),
      columns: number('Columns'),
      earlyChange: number('EarlyChange'),
    };
  });
}

/**
 * Decodes a stream's data: FlateDecode (with PNG predictors, as cross-reference streams use),
 * within the limits: few filters, and inflation stopped at the stream's size cap, at what is left
 * of the document's total, and at the compression ratio (all in limits.ts).
 */
export function decodeStream(stream: PdfStream): Uint8Array {
  const known = decoded.get(stream);
  if (known) return known;
  const steps = filterSteps(stream);
  if (steps.length > pdfLimits().maxFilters) {
    throw pdfLimitBreach(
      'PDF_TOO_MANY_FILTERS',
      `a stream has ${steps.length} filters; at most ${pdfLimits().maxFilters}`,
    );
  }
  const unsupported = steps.find((s) => s.name !== 'FlateDecode');
  if (unsupported) throw new PdfSyntaxError(`unsupported filter ${unsupported.name}`);
  const data = decodeFilterChain(stream.data, steps);
  decoded.set(stream, data);
  return data;
}
