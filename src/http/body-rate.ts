/**
 * A minimum transfer rate for request bodies, on a Node HTTP server: once a body has had its
 * grace period, it must have arrived at least this fast on average, or the request is answered
 * 408 and its connection closed. Without it a client sending a byte a second holds its
 * connection, and whatever the handler holds while it waits, for the whole request timeout.
 * Checked here, under every body reader of the application (JSON, multipart, forms, XML, the
 * verifier), so no route can forget it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface BodyRate {
  /** Bytes a second a body must average once past the grace period; 0: no minimum. */
  minBytesPerSecond: number;
  /** Time a body may take before the minimum applies (a slow start, a handler not reading yet). */
  graceMs: number;
}

/**
 * The rule as a pure function: too slow once the grace period is over and the average since the
 * headers is below the minimum. A body the handler is not reading (its buffer full) is never too
 * slow: the wait is the server's, not the client's.
 */
export function bodyTooSlow(
  rate: BodyRate,
  body: { elapsedMs: number; bytes: number; serverNotReading: boolean },
): boolean {
  if (rate.minBytesPerSecond <= 0 || body.serverNotReading || body.elapsedMs < rate.graceMs) return false;
  return body.bytes < (rate.minBytesPerSecond * body.elapsedMs) / 1000;
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  socket: Socket;
  startedAt: number;
  startBytes: number;
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Watches every request body on `server` (checked each `checkEveryMs`); returns a function that
 * stops watching. `onCut` is told of each body cut off (for a log line).
 */
export function enforceBodyRate(
  server: Server,
  rate: BodyRate,
  opts: { checkEveryMs?: number; onCut?: (req: IncomingMessage) => void } = {},
): () => void {
  if (rate.minBytesPerSecond <= 0) return () => {};
  const watched = new Set<Watched>();
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!hasBody(req) || req.complete) return;
    // Counted on the socket: reading the body here would take it from the handler.
    const w = { req, res, socket: req.socket, startedAt: Date.now(), startBytes: req.socket.bytesRead };
    watched.add(w);
    const forget = () => watched.delete(w);
    req.once('end', forget);
    req.once('close', forget);
    res.once('close', forget);
  });
  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const w of watched) {
        if (w.req.complete || w.socket.destroyed) {
          watched.delete(w);
          continue;
        }
        const slow = bodyTooSlow(rate, {
          elapsedMs: now - w.startedAt,
          bytes: w.socket.bytesRead - w.startBytes,
          serverNotReading: w.req.readableLength >= w.req.readableHighWaterMark,
        });
        if (!slow) continue;
        watched.delete(w);
        opts.onCut?.(w.req);
        cut(w, rate);
      }
    },
    opts.checkEveryMs ?? Math.min(1000, Math.max(100, rate.graceMs / 2)),
  );
  timer.unref();
  server.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

/** 408 with the reason, then the connection closed (the rest of the body is not waited for). */
function cut(w: Watched, rate: BodyRate): void {
  if (!w.res.headersSent) {
    const body = JSON.stringify({
      error: {
        code: 'BODY_TOO_SLOW',
        message: `the body arrived slower than ${rate.minBytesPerSecond} bytes a second`,
      },
    });
    w.res.writeHead(408, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
    w.res.end(body);
    // The handler, its body read failing, still answers: the client has its 408 already, so
    // that late answer goes nowhere instead of failing on headers already sent.
    w.res.writeHead = () => w.res;
    w.res.write = () => true;
    w.res.end = () => w.res;
  }
  // Give the answer a moment to leave, then drop the connection whatever the client does.
  setTimeout(() => w.socket.destroy(), 200).unref();
}
