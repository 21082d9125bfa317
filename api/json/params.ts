/** Path and header values shared by the sender routes. */
import type { Context } from 'hono';
import type { Flow } from '../../src/job/model.js';
import { badRequest } from '../http/errors.js';

/** The flow of a `{flow}` path: its parameter (openapi.ts FLOW) matches only `direct|portal`. */
export function flowParam(c: Context): Flow {
  return c.req.param('flow') as Flow;
}

/** Printable ASCII, as HTTP header values are; long enough for a UUID or a hash, no longer. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('INVALID_IDEMPOTENCY_KEY', 'the Idempotency-Key header is not valid', [
      { path: 'Idempotency-Key', code: 'INVALID_FORMAT', message: '1 to 255 visible ASCII characters' },
    ]);
  }
  return key;
}
