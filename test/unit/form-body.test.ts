/**
 * The bounded form reader against Node's own (undici's) form parser: the same fields and files for
 * bodies split into chunks anywhere (a boundary split across chunks included), and each limit
 * refused with its code, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { type FormBody, FormBodyError, type FormLimits, readFormBody } from '../../api/http/form-body.js';

const roomy: FormLimits = {
  maxBytes: 1024 * 1024,
  maxFields: 100,
  maxNameBytes: 100,
  maxValueBytes: 64 * 1024,
  maxFiles: 10,
  maxFileBytes: 256 * 1024,
};

/** The body as a stream of chunks of the given sizes (the last takes the rest). */
function streamOf(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at < bytes.length) chunks.push(bytes.subarray(at));
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

/** A browser-like body of `form`, with its content type, as undici encodes it. */
async function encoded(form: FormData | URLSearchParams): Promise<{ bytes: Uint8Array; type: string }> {
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { bytes: new Uint8Array(await req.arrayBuffer()), type: req.headers.get('content-type')! };
}

/** Comparable: files as name, type and text. */
async function plain(form: FormBody): Promise<Record<string, unknown>> {
  const one = async (v: string | File) =>
    typeof v === 'string' ? v : { file: v.name, type: v.type, text: await v.text() };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form))
    out[k] = Array.isArray(v) ? await Promise.all(v.map(one)) : await one(v);
  return out;
}

/** What undici's own parser makes of the body, in the same shape. */
async function reference(bytes: Uint8Array, type: string): Promise<Record<string, unknown>> {
  const parsed = await new Request('http://x/', {
    method: 'POST',
    body: bytes as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': type },
  }).formData();
  const form: FormBody = {};
  parsed.forEach((v, k) => {
    const earlier = form[k];
    form[k] = earlier === undefined ? v : [earlier, v].flat();
  });
  return plain(form);
}

function sample(): FormData {
  const form = new FormData();
  form.append('_csrf', 'token-123');
  form.append('title', 'Avtale om æ, ø og å — "quoted"\r\nline');
  form.append('kept', 'a');
  form.append('kept', 'b');
  form.append(
    'documents',
    new File(['%PDF-1.7\r\n--not a boundary\r\n'.repeat(500)], 'kontrakt.pdf', { type: 'application/pdf' }),
  );
  form.append('documents', new File(['vedlegg'], 'bilag.txt', { type: 'text/plain' }));
  form.append('empty', '');
  return form;
}

describe('readFormBody', () => {
  it('reads multipart as undici does, however the body is split', async () => {
    const { bytes, type } = await encoded(sample());
    const expected = await reference(bytes, type);
    const splits = [[bytes.length], Array(bytes.length).fill(1), [7, 13, 40, 41, 3, 1000, 2], [type.length]];
    for (const sizes of splits) {
      const form = await readFormBody(streamOf(bytes, sizes), type, roomy);
      const got = await plain(form);
      expect(got).toEqual(expected);
      expect(got.title).toBe('Avtale om æ, ø og å — "quoted"\r\nline');
      expect(got.kept).toEqual(['a', 'b']);
      expect(got.empty).toBe('');
      expect(got.documents).toEqual([
        {
          file: 'kontrakt.pdf',
          type: 'application/pdf',
          text: '%PDF-1.7\r\n--not a boundary\r\n'.repeat(500),
        },
        { file: 'bilag.txt', type: 'text/plain', text: 'vedlegg' },
      ]);
    }
  });

  it('keeps an empty file input as Chromium sends it (a file named "")', async () => {
    const body =
      '--b\r\nContent-Disposition: form-data; name="documents"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n';
    const form = await readFormBody(
      streamOf(new TextEncoder().encode(body), [10]),
      'multipart/form-data; boundary=b',
      roomy,
    );
    expect(await plain(form)).toEqual({
      documents: { file: '', type: 'application/octet-stream', text: '' },
    });
  });

  it('reads urlencoded as URLSearchParams writes it, however the body is split', async () => {
    const params = new URLSearchParams([
      ['_csrf', 'tok+en/='],
      ['reason', 'Jeg vil ikke & kan ikke: 100% sikker'],
      ['reason', 'two'],
      ['blank', ''],
    ]);
    const { bytes, type } = await encoded(params);
    for (const sizes of [[bytes.length], Array(bytes.length).fill(1), [5, 9, 2]]) {
      const form = await readFormBody(streamOf(bytes, sizes), type, roomy);
      expect({ ...form }).toEqual({
        _csrf: 'tok+en/=',
        reason: ['Jeg vil ikke & kan ikke: 100% sikker', 'two'],
        blank: '',
      });
    }
  });

  const refused = async (body: string | Uint8Array, type: string, limits: Partial<FormLimits> = {}) => {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return readFormBody(streamOf(bytes, [64]), type, { ...roomy, ...limits }).then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof FormBodyError)) throw err;
        return { status: err.status, code: err.code, field: err.field };
      },
    );
  };
  const urlencoded = 'application/x-www-form-urlencoded';

  it('stops at each limit with its code', async () => {
    const fields = Array.from({ length: 450_000 }, (_, i) => `f${i}=1`).join('&');
    const started = performance.now();
    expect(await refused(fields, urlencoded, { maxBytes: 10_000_000 })).toEqual({
      status: 413,
      code: 'TOO_MANY_FIELDS',
      field: undefined,
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(await refused('a=1'.padEnd(2000, '1'), urlencoded, { maxBytes: 1000 })).toMatchObject({
      status: 413,
      code: 'BODY_TOO_LARGE',
    });
    expect(await refused(`reason=${'x'.repeat(200)}`, urlencoded, { maxValueBytes: 100 })).toEqual({
      status: 413,
      code: 'FIELD_TOO_LARGE',
      field: 'reason',
    });
    expect(await refused(`${'n'.repeat(200)}=1`, urlencoded)).toMatchObject({
      status: 413,
      code: 'FIELD_TOO_LARGE',
    });
    const { bytes, type } = await encoded(sample());
    expect(await refused(bytes, type, { maxFiles: 1 })).toEqual({
      status: 413,
      code: 'TOO_MANY_FILES',
      field: 'documents',
    });
    expect(await refused(bytes, type, { maxFileBytes: 1000 })).toEqual({
      status: 413,
      code: 'FILE_TOO_LARGE',
      field: 'documents',
    });
  });

  it('refuses what is not a well-formed form', async () => {
    const multipart = 'multipart/form-data; boundary=b';
    for (const [body, type] of [
      ['a=%zz', urlencoded],
      ['x', 'multipart/form-data'],
      ['no boundary here', multipart],
      ['--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated', multipart],
      ['--b\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--b--', multipart],
      ['--b\r\n\r\nx\r\n--b--', multipart],
      ['--bX', multipart],
    ] as const) {
      expect(await refused(body, type), body).toMatchObject({ status: 400, code: 'MALFORMED_FORM' });
    }
    // Latin-1, not UTF-8: refused as such, naming the field.
    expect(await refused('a=%e6', urlencoded)).toMatchObject({
      status: 400,
      code: 'INVALID_UTF8',
      field: 'a',
    });
    expect(await refused('{}', 'application/json')).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_CONTENT_TYPE',
    });
  });
});
