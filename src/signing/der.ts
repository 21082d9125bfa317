/**
 * A few DER building and reading helpers for the small structures no installed ASN.1 schema
 * covers (ESSCertIDv2 and its IssuerSerial), and for slicing raw fields out of certificates and
 * CMS blobs without re-encoding them (re-encoding can change string types and break hashes).
 */

/** An exact ArrayBuffer copy of a view, for APIs typed to take ArrayBuffer/BufferSource. */
export function bufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(content);
  return concatBytes([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export const sequence = (...items: Uint8Array[]) => tlv(0x30, ...items);
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);

export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [a, b, ...rest] = arcs;
  if (a === undefined || b === undefined) throw new Error(`bad OID ${dotted}`);
  const body: number[] = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    body.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(body));
}

/** One TLV element read from DER: its tag, where its content is, and where it ends. */
export interface DerElement {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export function readElement(bytes: Uint8Array, at: number): DerElement {
  const tag = bytes[at];
  let lengthByte = bytes[at + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('DER: truncated');
  let pos = at + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER: unsupported length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = bytes[pos++];
      if (lengthByte === undefined) throw new Error('DER: truncated');
      length = length * 256 + lengthByte;
    }
  }
  if (pos + length > bytes.length) throw new Error('DER: element runs past the end');
  return { tag, start: at, contentStart: pos, end: pos + length };
}

/** The direct children of a constructed element. */
export function children(bytes: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const el = readElement(bytes, at);
    out.push(el);
    at = el.end;
  }
  return out;
}

export const raw = (bytes: Uint8Array, el: DerElement) => bytes.subarray(el.start, el.end);

/** The issuer Name and serialNumber INTEGER of a certificate, exactly as encoded in it. */
export function issuerAndSerialOf(certDer: Uint8Array): { issuer: Uint8Array; serial: Uint8Array } {
  const cert = readElement(certDer, 0);
  const tbs = children(certDer, cert)[0];
  if (!tbs) throw new Error('certificate: no TBSCertificate');
  const fields = children(certDer, tbs);
  // version is [0] EXPLICIT and optional; skip it when present.
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  if (!serial || !issuer) throw new Error('certificate: malformed TBSCertificate');
  return { issuer: raw(certDer, issuer), serial: raw(certDer, serial) };
}
