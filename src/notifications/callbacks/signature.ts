/**
 * The signature on sender callbacks: HMAC-SHA256 over `<unix seconds>.<body>` with the
 * organisation's secret, sent as
 *
 *     X-Signature: t=1767225600,v1=<hex>[,v1=<hex>]
 *
 * During a rotation both active secrets sign, so a receiver that knows either one accepts the
 * call; the timestamp lets receivers refuse replays of old calls. Pure functions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Signature';
/** How far a receiver should accept the timestamp from its own clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `X-Signature` value for `body` at `timestamp` (unix seconds), signed by every secret given. */
export function signCallback(secrets: string | readonly string[], timestamp: number, body: string): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new Error('a callback needs at least one secret to be signed');
  return [`t=${timestamp}`, ...list.map((s) => `v1=${hmacHex(s, timestamp, body)}`)].join(',');
}

export interface VerifyCallbackArgs {
  header: string | null | undefined;
  body: string;
  /** The receiver's secrets; one matching signature suffices. */
  secrets: readonly string[];
  /** The receiver's clock, unix seconds. */
  now: number;
  toleranceSeconds?: number;
}

/** True when the header carries a fresh timestamp and a valid signature by one of `secrets`. */
export function verifyCallbackSignature(args: VerifyCallbackArgs): boolean {
  if (!args.header) return false;
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of args.header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(args.now - timestamp) > (args.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS))
    return false;
  const stamp = timestamp;
  return args.secrets.some((secret) => {
    const expected = Buffer.from(hmacHex(secret, stamp, args.body), 'hex');
    return signatures.some((given) => timingSafeEqual(given, expected));
  });
}
