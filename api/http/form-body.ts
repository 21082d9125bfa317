/**
 * A bounded streaming reader of HTML form bodies (`application/x-www-form-urlencoded` and
 * `multipart/form-data`), for the pages' forms and the API's multipart create. It reads chunk by
 * chunk and stops at the first limit passed (whole body, number of fields and files, size of a name,
 * a value or a file), so a body of half a million tiny fields costs the parse of a few hundred,
 * never the event loop for seconds. The result has the shape Hono's `parseBody({ all: true })`
 * gives: a repeated name holds an array.
 */
import { BodyTooLargeError, bodyChunks } from './body-read.js';

export type FormValue = string | File;
export type FormBody = Record<string, FormValue | FormValue[]>;

export interface FormLimits {
  /** The whole body as sent. */
  maxBytes: number;
  /** Text fields (parts without a filename). */
  maxFields: number;
  /** A field's or file part's name, as sent. */
  maxNameBytes: number;
  /** A text field's value, as sent. */
  maxValueBytes: number;
  /** File parts (multipart only; a urlencoded body has none). */
  maxFiles: number;
  /** One file part's content. */
  maxFileBytes: number;
}

export type FormProblem =
  | 'BODY_TOO_LARGE'
  | 'TOO_MANY_FIELDS'
  | 'FIELD_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'FILE_TOO_LARGE'
  | 'MALFORMED_FORM'
  | 'INVALID_UTF8'
  | 'UNSUPPORTED_CONTENT_TYPE';

/** A form body refused: 413 for a limit passed, 400 malformed, 415 not a form. `field` names the part. */
export class FormBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: FormProblem,
    message: string,
    readonly field?: string,
    /** The limit passed, for a 413. */
    readonly limit?: number,
  ) {
    super(message);
    this.name = 'FormBodyError';
  }
}

/** A field sent once as text, else '' (a file, a repeated name or none). */
export function textField(form: FormBody, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : '';
}

/** Part headers (Content-Disposition, Content-Type) longer than this are not a browser's. */
const MAX_PART_HEADER_BYTES = 8 * 1024;

const malformed = (why: string, field?: string) =>
  new FormBodyError(400, 'MALFORMED_FORM', `the form body is malformed: ${why}`, field);

/** The media type of a form body, or undefined when `contentType` names none we read. */
export function formMediaType(contentType: string | undefined): 'urlencoded' | 'multipart' | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'urlencoded';
  if (type === 'multipart/form-data') return 'multipart';
  return undefined;
}

/** Reads and parses the body within `limits`; FormBodyError for anything refused. */
export async function readFormBody(
  body: ReadableStream<Uint8Array> | null,
  contentType: string | undefined,
  limits: FormLimits,
): Promise<FormBody> {
  const media = formMediaType(contentType);
  if (!media) {
    throw new FormBodyError(
      415,
      'UNSUPPORTED_CONTENT_TYPE',
      `a form must be application/x-www-form-urlencoded or multipart/form-data, got ${contentType || 'none'}`,
    );
  }
  const chunks = bodyChunks(body, limits.maxBytes);
  try {
    if (media === 'urlencoded') return await readUrlEncoded(chunks, limits);
    const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))\s*(?:;|$)/i.exec(contentType ?? '');
    if (!match) throw malformed('the multipart/form-data Content-Type has no valid boundary');
    return await readMultipart(chunks, (match[1] ?? match[2])!, limits);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw new FormBodyError(
        413,
        'BODY_TOO_LARGE',
        `the form is larger than ${limits.maxBytes} bytes`,
        undefined,
        limits.maxBytes,
      );
    }
    throw err;
  } finally {
    await chunks.return(undefined); // stops reading if a limit ended the parse
  }
}

/** Collects fields and files, counting them against the limits as each one starts. */
class FormCollector {
  readonly form: FormBody = Object.create(null);
  private fields = 0;
  private files = 0;
  constructor(private readonly limits: FormLimits) {}

  checkName(size: number) {
    if (size > this.limits.maxNameBytes) {
      const max = this.limits.maxNameBytes;
      throw new FormBodyError(
        413,
        'FIELD_TOO_LARGE',
        `a field name is longer than ${max} bytes`,
        '(name)',
        max,
      );
    }
  }

  /** A part begins: its name checked, and counted as a field or (`file`) a file. */
  start(name: string, file: boolean) {
    this.checkName(Buffer.byteLength(name));
    const count = file ? ++this.files : ++this.fields;
    const max = file ? this.limits.maxFiles : this.limits.maxFields;
    if (count > max) {
      const what = file ? 'files' : 'fields';
      throw new FormBodyError(
        413,
        file ? 'TOO_MANY_FILES' : 'TOO_MANY_FIELDS',
        `the form has more than ${max} ${what}`,
        file ? name : undefined,
        max,
      );
    }
  }

  checkValue(name: string, size: number, file: boolean) {
    const max = file ? this.limits.maxFileBytes : this.limits.maxValueBytes;
    if (size > max) {
      throw new FormBodyError(
        413,
        file ? 'FILE_TOO_LARGE' : 'FIELD_TOO_LARGE',
        `\`${name}\` is larger than ${max} bytes`,
        name,
        max,
      );
    }
  }

  add(name: string, value: FormValue) {
    const earlier = this.form[name];
    if (earlier === undefined) this.form[name] = value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else this.form[name] = [earlier, value];
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, what: string, field?: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    // Decoded leniently, bad bytes would become U+FFFD and pass as what the client wrote.
    throw new FormBodyError(400, 'INVALID_UTF8', `${what} is not valid UTF-8`, field);
  }
}

/** One urlencoded name or value: `+` is a space, `%XX` a byte; a broken escape is refused. */
function decodeFormComponent(raw: Buffer, what: string, field?: string): string {
  if (!raw.includes(0x25) && !raw.includes(0x2b)) return decodeUtf8(raw, what, field);
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x2b) out[n++] = 0x20;
    else if (b === 0x25) {
      const hex = raw.toString('latin1', i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw malformed(`${what} has a broken %-escape`, field);
      out[n++] = Number.parseInt(hex, 16);
      i += 2;
    } else out[n++] = b;
  }
  return decodeUtf8(out.subarray(0, n), what, field);
}

async function readUrlEncoded(chunks: AsyncIterable<Uint8Array>, limits: FormLimits): Promise<FormBody> {
  const out = new FormCollector(limits);
  let name: Buffer[] = [];
  let value: Buffer[] = [];
  let nameSize = 0;
  let valueSize = 0;
  let inValue = false;

  const finishPair = () => {
    if (inValue || nameSize > 0) {
      const key = decodeFormComponent(Buffer.concat(name), 'a field name');
      out.start(key, false);
      out.add(key, decodeFormComponent(Buffer.concat(value), `\`${key}\``, key));
    }
    name = [];
    value = [];
    nameSize = 0;
    valueSize = 0;
    inValue = false;
  };
  const appendName = (piece: Buffer) => {
    nameSize += piece.length;
    out.checkName(nameSize);
    name.push(piece);
  };
  const appendValue = (piece: Buffer) => {
    valueSize += piece.length;
    if (valueSize > limits.maxValueBytes) {
      const key = Buffer.concat(name).toString('utf8');
      out.checkValue(key, valueSize, false);
    }
    value.push(piece);
  };

  for await (const bytes of chunks) {
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < chunk.length) {
      const amp = chunk.indexOf(0x26, at); // '&'
      const end = amp === -1 ? chunk.length : amp;
      let piece = chunk.subarray(at, end);
      if (!inValue) {
        const eq = piece.indexOf(0x3d); // '='
        appendName(eq === -1 ? piece : piece.subarray(0, eq));
        if (eq !== -1) {
          inValue = true;
          piece = piece.subarray(eq + 1);
        }
      }
      if (inValue && piece.length > 0) appendValue(piece);
      if (amp !== -1) finishPair();
      at = end + 1;
    }
  }
  finishPair();
  return out.form;
}

interface OpenPart {
  name: string;
  fileName: string | undefined;
  type: string;
  chunks: Buffer[];
  size: number;
}

/** The name, filename and type of a part from its header block (browsers send no others). */
function partHeaders(block: string): Omit<OpenPart, 'chunks' | 'size'> {
  let disposition: string | undefined;
  let type = '';
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('a part header line has no name');
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') disposition = value;
    else if (header === 'content-type') type = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
    throw malformed('a part has no Content-Disposition: form-data');
  }
  const params = new Map<string, string>();
  for (const m of disposition.matchAll(/;\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s"]*))/g)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
  }
  const name = params.get('name');
  if (name === undefined) throw malformed('a part has no name');
  return { name, fileName: params.get('filename'), type };
}

async function readMultipart(
  chunks: AsyncIterable<Uint8Array>,
  boundary: string,
  limits: FormLimits,
): Promise<FormBody> {
  const out = new FormCollector(limits);
  const opening = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const keep = delimiter.length - 1; // what may be the start of a delimiter split across chunks
  // Changed by step(), which TypeScript's narrowing does not follow: hence the cast.
  let state = 'start' as 'start' | 'afterBoundary' | 'headers' | 'body' | 'end';
  let buf: Buffer = Buffer.alloc(0);
  let part: OpenPart | undefined;

  const append = (p: OpenPart, bytes: Buffer) => {
    if (bytes.length === 0) return;
    p.size += bytes.length;
    out.checkValue(p.name, p.size, p.fileName !== undefined);
    p.chunks.push(bytes);
  };
  const finish = (p: OpenPart) => {
    const bytes = Buffer.concat(p.chunks);
    if (p.fileName === undefined) {
      out.add(p.name, decodeUtf8(bytes, `\`${p.name}\``, p.name));
    } else {
      out.add(p.name, new File([bytes], p.fileName, { type: p.type || 'application/octet-stream' }));
    }
  };

  /** One step of the parse on what has arrived; false when it needs more bytes. */
  const step = (): boolean => {
    switch (state) {
      case 'start': {
        if (buf.length < opening.length) return false;
        if (buf.subarray(0, opening.length).equals(opening)) {
          buf = buf.subarray(opening.length);
        } else {
          // A preamble before the first boundary is allowed, and skipped.
          const at = buf.indexOf(delimiter);
          if (at === -1) {
            buf = buf.subarray(Math.max(0, buf.length - keep));
            return false;
          }
          buf = buf.subarray(at + delimiter.length);
        }
        state = 'afterBoundary';
        return true;
      }
      case 'afterBoundary': {
        if (buf.length < 2) return false;
        const next = buf.toString('latin1', 0, 2);
        if (next === '--') {
          state = 'end';
          return false;
        }
        if (next !== '\r\n') throw malformed('a boundary is not followed by a line break');
        buf = buf.subarray(2);
        state = 'headers';
        return true;
      }
      case 'headers': {
        if (buf.length < 2) return false;
        if (buf[0] === 0x0d && buf[1] === 0x0a) throw malformed('a part has no headers');
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1 || end > MAX_PART_HEADER_BYTES) {
          if (buf.length > MAX_PART_HEADER_BYTES) throw malformed('the headers of a part are too long');
          return false;
        }
        const headers = partHeaders(decodeUtf8(buf.subarray(0, end), 'a part header'));
        out.start(headers.name, headers.fileName !== undefined);
        part = { ...headers, chunks: [], size: 0 };
        buf = buf.subarray(end + 4);
        state = 'body';
        return true;
      }
      case 'body': {
        const at = buf.indexOf(delimiter);
        if (at === -1) {
          if (buf.length > keep) {
            append(part!, buf.subarray(0, buf.length - keep));
            buf = buf.subarray(buf.length - keep);
          }
          return false;
        }
        append(part!, buf.subarray(0, at));
        finish(part!);
        part = undefined;
        buf = buf.subarray(at + delimiter.length);
        state = 'afterBoundary';
        return true;
      }
      case 'end':
        return false;
    }
  };

  for await (const bytes of chunks) {
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (state === 'end') continue; // the epilogue after the closing boundary is read and ignored
    buf = buf.length > 0 ? Buffer.concat([buf, chunk]) : chunk;
    while (step()) {
      // each step consumes what it can
    }
  }
  if (state !== 'end') throw malformed('the body ends before the closing boundary');
  return out.form;
}
