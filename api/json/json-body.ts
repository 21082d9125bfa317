/** Small JSON request bodies (everything but the multipart create), validated with a zod schema. */
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { formatPath } from '../../src/job/schema.js';
import { BodyTooLargeError, readBodyCapped } from '../http/body-read.js';
import { ApiError, badRequest, errorBody, refuseUnstorableStrings } from '../http/errors.js';

/** No JSON body of the API comes near this; more is refused unread. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: (c) =>
    c.json(errorBody('BODY_TOO_LARGE', `the body is larger than ${MAX_JSON_BODY_BYTES} bytes`), 413),
});

/**
 * The body as text, read chunk by chunk and given up (413) as soon as it passes the limit: safe
 * even on a route that forgot jsonBodyLimit. Invalid UTF-8 is 400.
 */
async function readCappedText(c: Context, maxBytes: number): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readBodyCapped(c.req.raw.body, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new ApiError(413, 'BODY_TOO_LARGE', err.message);
    throw err;
  }
  try {
    // Leniently decoded, bad bytes would become U+FFFD and pass as what the client wrote.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('INVALID_UTF8', 'the body is not valid UTF-8', [
      { path: '(body)', code: 'INVALID_UTF8', message: 'JSON must be encoded as UTF-8' },
    ]);
  }
}

/** The body parsed and validated; an empty body counts as `{}`. 400 naming each bad field. */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await readCappedText(c, MAX_JSON_BODY_BYTES);
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw badRequest('INVALID_JSON', 'the body is not valid JSON', [
        { path: '(body)', code: 'INVALID_JSON', message: (err as Error).message },
      ]);
    }
  }
  refuseUnstorableStrings(raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      'the body is not valid',
      parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((key) => ({
              path: formatPath([...i.path, key]),
              code: 'UNKNOWN_FIELD',
              message: 'is not a known field',
            }))
          : [{ path: formatPath(i.path) || '(body)', code: 'INVALID_VALUE', message: i.message }],
      ),
    );
  }
  return parsed.data;
}
