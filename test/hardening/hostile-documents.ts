/**
 * Hostile documents, built at run time (a bomb is a few KB on the wire but would be hundreds of
 * MB decoded): for the hostile-input tests and bench/hardening. Each is a well-formed PDF around
 * one attack, so the reader gets as far as the attack before anything else stops it.
 */
import { once } from 'node:events';
import { createDeflate, deflateSync } from 'node:zlib';

/** A PDF of the given objects (number → body after `n 0 obj`), with a classic xref table. */
export function pdfOf(objects: Record<number, Buffer | string>, trailerExtra = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets = new Map<number, number>();
  const nums = Object.keys(objects)
    .map(Number)
    .sort((a, b) => a - b);
  for (const num of nums) {
    offsets.set(num, length);
    const body = objects[num]!;
    const chunk = Buffer.concat([
      Buffer.from(`${num} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    parts.push(chunk);
    length += chunk.length;
  }
  const size = Math.max(...nums) + 1;
  let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (let n = 1; n < size; n++) {
    const at = offsets.get(n);
    xref += at === undefined ? '0000000000 65535 f \n' : `${String(at).padStart(10, '0')} 00000 n \n`;
  }
  xref += `trailer\n<< /Size ${size} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** `<<dict>> stream … endstream` with the right /Length. */
export function streamObject(dict: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

/** `bytes` of zeros deflated, without ever holding them: 400 MB become about 400 KB. */
export async function deflatedZeros(bytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = bytes; left > 0; left -= chunk.length) {
    if (!deflate.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return Buffer.concat(out);
}

/** A catalog whose /DSS lists the given stream objects as certificates (the verifier decodes them). */
function withDssStreams(streams: Buffer[]): Buffer {
  const objects: Record<number, Buffer | string> = {
    1: `<< /Type /Catalog /DSS 2 0 R >>`,
    2: `<< /Certs [${streams.map((_, i) => `${10 + i} 0 R`).join(' ')}] >>`,
  };
  streams.forEach((s, i) => {
    objects[10 + i] = s;
  });
  return pdfOf(objects);
}

/**
 * The attack of issue 12: four streams of 400 MB of zeros, each compressed twice
 * (`/Filter [/FlateDecode /FlateDecode]`). A few KB; unbounded, it takes the process down.
 */
export async function doubleDeflateBomb(zeros = 400 * 1024 * 1024): Promise<Buffer> {
  const twice = deflateSync(await deflatedZeros(zeros), { level: 9 });
  const stream = streamObject('/Filter [/FlateDecode /FlateDecode]', twice);
  return withDssStreams([stream, stream, stream, stream]);
}

/** One layer of deflate: 100 MB of zeros in about 100 KB. */
export async function singleLayerBomb(zeros = 100 * 1024 * 1024): Promise<Buffer> {
  return withDssStreams([streamObject('/Filter /FlateDecode', await deflatedZeros(zeros))]);
}

/** Many streams each under every per-stream cap (1 MiB is under the ratio floor), together 80 MiB. */
export async function manySmallBombs(streams = 80, perStream = 1024 * 1024): Promise<Buffer> {
  const one = streamObject('/Filter /FlateDecode', await deflatedZeros(perStream));
  return withDssStreams(Array.from({ length: streams }, () => one));
}

/** A one-page document around a page dictionary's extra entries and the given objects (from 4). */
export function onePage(pageExtra: string, objects: Record<number, Buffer | string> = {}): Buffer {
  return pdfOf({
    1: '<< /Type /Catalog /Pages 2 0 R >>',
    2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    3: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ${pageExtra} >>`,
    ...objects,
  });
}

/**
 * The bomb of issue 23 as a job document: a valid one-page PDF whose content is `streams` streams
 * of `zeros` bytes of zeros each. One stream of 1 GiB is a 1 MB file; three of them (the same
 * compressed bytes thrice) are a 3 MB file, the size limit, inflating to 3 GiB.
 */
export async function contentBomb(zeros = 1024 * 1024 * 1024, streams = 1): Promise<Buffer> {
  return contentBombOf(await deflatedZeros(zeros), streams);
}

/** contentBomb around zeros deflated once (1 GiB takes seconds to deflate): `streams` of them. */
export function contentBombOf(deflated: Buffer, streams = 1): Buffer {
  const stream = streamObject('/Filter /FlateDecode', deflated);
  const objects: Record<number, Buffer> = {};
  for (let i = 0; i < streams; i++) objects[4 + i] = stream;
  const refs = Object.keys(objects).map((n) => `${n} 0 R`);
  return onePage(`/Contents [${refs.join(' ')}]`, objects);
}

/** A page tree whose only node lists itself among its kids: pdf-lib's page walk never ends. */
export function pageTreeLoop(): Buffer {
  return pdfOf({
    1: '<< /Type /Catalog /Pages 2 0 R >>',
    2: '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>',
    3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  });
}

/**
 * A bomb in an object stream that no cross-reference section lists: a reader following the
 * cross-references never meets it, but pdf-lib, which parses a file front to back, inflates it.
 */
export async function orphanObjectStreamBomb(zeros = 256 * 1024 * 1024): Promise<Buffer> {
  const bomb = streamObject('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', await deflatedZeros(zeros));
  // Object 9, put just before the cross-reference table, which does not list it.
  const page = onePage('');
  const at = page.lastIndexOf('\nxref\n') + 1;
  const orphan = Buffer.concat([Buffer.from('9 0 obj\n'), bomb, Buffer.from('\nendobj\n')]);
  const tail = page
    .subarray(at)
    .toString('latin1')
    .replace(`startxref\n${at}`, `startxref\n${at + orphan.length}`);
  return Buffer.concat([page.subarray(0, at), orphan, Buffer.from(tail, 'latin1')]);
}

/** A filter chain longer than any real file has. */
export function longFilterChain(): Buffer {
  let data = Buffer.from('x');
  for (let i = 0; i < 8; i++) data = deflateSync(data);
  return withDssStreams([streamObject(`/Filter [${' /FlateDecode'.repeat(8)}]`, data)]);
}

/** Arrays inside arrays, `levels` deep, in the catalog. */
export function deepNesting(levels = 100_000): Buffer {
  return pdfOf({ 1: `<< /Type /Catalog /X ${'['.repeat(levels)}${']'.repeat(levels)} >>` });
}

/** Two streams whose /Length each points at the other. */
export function lengthLoop(): Buffer {
  return pdfOf({
    1: `<< /Type /Catalog /DSS 2 0 R >>`,
    2: `<< /Certs [3 0 R] >>`,
    3: `<< /Length 4 0 R >>\nstream\nabc\nendstream`,
    4: `<< /Length 3 0 R >>\nstream\nabc\nendstream`,
  });
}

/**
 * A form field listing itself ten times as its kids: walked naively, 10^16 visits. The verifier
 * stops at a depth of 16; the reader's lookup cap stops the walk well before that.
 */
export function kidsLoop(): Buffer {
  return pdfOf({
    1: `<< /Type /Catalog /AcroForm 2 0 R >>`,
    2: `<< /Fields [3 0 R] >>`,
    3: `<< /T (loop) /Kids [${'3 0 R '.repeat(10)}] >>`,
  });
}

/** The catalog inside an object stream that is itself compressed inside that object stream. */
export function objectStreamLoop(): Buffer {
  const body = deflateSync(Buffer.from('1 0 << /Type /Catalog >>', 'latin1'));
  // Object 5 (the object stream) says, through the xref stream, that it lives in itself.
  const objStm = streamObject('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', body);
  const rows = Buffer.from([
    0,
    0,
    0,
    0, // 0: free
    2,
    0,
    5,
    0, // 1: in object stream 5, index 0
    2,
    0,
    5,
    0, // 2: unused
    2,
    0,
    5,
    0,
    2,
    0,
    5,
    0,
    2,
    0,
    5,
    0, // 5: in object stream 5 itself
  ]);
  const head = Buffer.from('%PDF-1.7\n', 'latin1');
  const objStmAt = head.length;
  const objStmChunk = Buffer.concat([Buffer.from('5 0 obj\n'), objStm, Buffer.from('\nendobj\n')]);
  const xrefAt = objStmAt + objStmChunk.length;
  const xref = Buffer.concat([
    Buffer.from('6 0 obj\n'),
    streamObject('/Type /XRef /Size 6 /W [1 2 1] /Root 1 0 R', rows),
    Buffer.from(`\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`),
  ]);
  return Buffer.concat([head, objStmChunk, xref]);
}

/** A signed-looking PDF cut short: everything after `keep` bytes is gone. */
export function truncated(pdf: Buffer, keep: number): Buffer {
  return pdf.subarray(0, keep);
}

/** An XML document with an external entity (XXE): must never be resolved. */
export const XXE = `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">&x;</ds:Signature>`;

/** Billion laughs: ten levels of ten references, 10^9 "lol"s if expanded. */
export const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
<!ENTITY lol "lol">
${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n')}
]>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">&lol9;</ds:Signature>`;

/** Elements nested `levels` deep. */
export function deepXml(levels = 100_000): string {
  return `<?xml version="1.0"?>${'<a>'.repeat(levels)}${'</a>'.repeat(levels)}`;
}
