/**
 * Reading a request body from outside, chunk by chunk, for every adapter (JSON API, XML API, the
 * pages' forms). A client that goes away or stalls mid-body (the request timeout fires) is not a
 * failure of ours: it becomes BodyAbortedError, answered with a 4xx and logged at info, so an
 * aborted upload never shows as a 5xx in the logs or the metrics.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The body could not be read to its end: the client disconnected, or took too long. */
export class BodyAbortedError extends Error {
  readonly status: 400 | 408;
  constructor(cause: unknown) {
    const timedOut = /time[d ]?out/i.test(String((cause as Error)?.message ?? cause));
    super(timedOut ? 'the request body took too long to arrive' : 'the request body ended early');
    this.name = 'BodyAbortedError';
    this.status = timedOut ? 408 : 400;
  }
}

/** The body passed `maxBytes`; reading stopped there. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the body is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The body's chunks as they arrive. Stops with BodyTooLargeError once more than `maxBytes` came, and
 * with BodyAbortedError when the stream breaks. Leaving the loop early (a limit passed) parses and
 * keeps nothing more: the rest is drained in the background, a bounded amount (so a client still
 * sending receives the 413 instead of a reset connection), and then the connection is closed.
 */
export async function* bodyChunks(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let total = 0;
  let ended = false;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        ended = true;
        throw new BodyAbortedError(err);
      }
      if (chunk.done) {
        ended = true;
        return;
      }
      total += chunk.value.byteLength;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
      yield chunk.value;
    }
  } finally {
    if (ended) reader.releaseLock();
    else drainAndClose(reader);
  }
}

/** What is read and dropped after a refusal before the connection is closed. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
const DRAIN_MAX_MS = 2000;

function drainAndClose(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const timer = setTimeout(() => void reader.cancel().catch(() => undefined), DRAIN_MAX_MS);
  timer.unref();
  void (async () => {
    let drained = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        drained += value.byteLength;
        if (drained > DRAIN_MAX_BYTES) {
          await reader.cancel();
          break;
        }
      }
    } catch {
      // the client went away meanwhile
    } finally {
      clearTimeout(timer);
    }
  })();
}

/** The whole body in memory, at most `maxBytes` of it (BodyTooLargeError beyond). */
export async function readBodyCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(body, maxBytes)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * True when `err` came from the request body breaking off (the client went away, or the request
 * timeout cut it), wherever it was being read (ours, or Hono's bodyLimit and arrayBuffer): the
 * body never arrived in full and the connection is gone. Such a request is answered 400 (408 when
 * timed out) and logged at info, never as a 5xx.
 */
export function isBodyAborted(err: unknown, c: Context): boolean {
  if (err instanceof BodyAbortedError) return true;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.complete) return false;
  return incoming.destroyed || incoming.readableAborted || c.req.raw.signal?.aborted === true;
}

/** The status an aborted body is answered (and counted) with. */
export function abortedStatus(err: unknown): 400 | 408 {
  return err instanceof BodyAbortedError ? err.status : 400;
}
