/**
 * How many connections one client address, and everyone together, may hold open on a Node
 * server: checked as each TCP connection arrives (before TLS, before a byte of HTTP is parsed), so
 * a client that opens a thousand sockets and trickles header lines into them holds its own share
 * and no more, and everyone else still gets in. Used by the API's listeners (api/http/server.ts) and by
 * the cluster's proxy (src/dev/api-proxy.ts).
 */
import type { Server as NetServer, Socket } from 'node:net';

export interface ConnectionCaps {
  /** Connections open at once, all addresses together. */
  maxConnections: number;
  /** Connections open at once from one address; 0: no per-address cap (a proxy in front holds it). */
  maxPerAddress: number;
  /**
   * Connections admitted beyond maxConnections for monitoring only: a request on one of them is
   * answered only for these paths (503 otherwise), so the health probe still gets in when a crowd
   * of addresses has filled every ordinary slot.
   */
  monitoringReserve: number;
  /** The paths served on a reserve connection. */
  monitoringPaths: readonly string[];
}

export type Admission = 'serve' | 'monitoring-only' | 'refuse';

/**
 * The rule, as a pure function of what is open now: the address's own cap first (its share is
 * its share, reserve or not), then the overall cap, then the monitoring reserve above it.
 */
export function admitConnection(
  caps: Pick<ConnectionCaps, 'maxConnections' | 'maxPerAddress' | 'monitoringReserve'>,
  open: { total: number; fromAddress: number },
): Admission {
  if (caps.maxPerAddress > 0 && open.fromAddress >= caps.maxPerAddress) return 'refuse';
  if (open.total < caps.maxConnections) return 'serve';
  if (open.total < caps.maxConnections + caps.monitoringReserve) return 'monitoring-only';
  return 'refuse';
}

/** One spelling per client: an IPv4 peer of a dual-stack socket arrives as `::ffff:a.b.c.d`. */
export function peerAddress(socket: Pick<Socket, 'remoteAddress'>): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice('::ffff:'.length) : a;
}

export interface ConnectionCounts {
  total(): number;
  fromAddress(address: string): number;
  /** Connections refused since the server started (per-address or overall cap). */
  refused(): number;
}

/**
 * Applies the caps to `server` (an http or https server, or any net server): every 'connection'
 * listener registered so far (the HTTP or TLS machinery) only ever sees admitted sockets; a
 * refused one is destroyed at once, costing the server nothing but the accept.
 */
export function capConnections(server: NetServer, caps: ConnectionCaps): ConnectionCounts {
  const perAddress = new Map<string, number>();
  let total = 0;
  let refused = 0;
  const monitoringOnly = new WeakSet<Socket>();
  const inner = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = peerAddress(socket);
    const admission = admitConnection(caps, { total, fromAddress: perAddress.get(address) ?? 0 });
    if (admission === 'refuse') {
      refused++;
      socket.destroy();
      return;
    }
    total++;
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      total--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    if (admission === 'monitoring-only') monitoringOnly.add(socket);
    for (const listener of inner) listener.call(server, socket);
  });
  // A reserve connection gets a short answer for anything but monitoring (the TLS socket of an
  // https request wraps the TCP socket that was admitted: look through it).
  const serveMonitoringOnly = (
    req: { url?: string; socket: Socket & { _parent?: Socket } },
    res: {
      headersSent: boolean;
      writeHead(s: number, h: Record<string, string>): unknown;
      end(b: string): unknown;
    },
  ): boolean => {
    const tcp = req.socket._parent ?? req.socket;
    if (!monitoringOnly.has(tcp)) return false;
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (caps.monitoringPaths.includes(path)) return false;
    res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
    res.end(
      JSON.stringify({
        error: {
          code: 'TOO_MANY_CONNECTIONS',
          message: 'the server is at its connection limit; try again shortly',
        },
      }),
    );
    return true;
  };
  // Ahead of the application's own listener, which must not see a refused request.
  const app = server.listeners('request') as ((req: never, res: never) => void)[];
  if (app.length > 0) {
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      if (serveMonitoringOnly(req, res)) return;
      for (const listener of app) listener.call(server, req as never, res as never);
    });
  }
  return {
    total: () => total,
    fromAddress: (address) => perAddress.get(address) ?? 0,
    refused: () => refused,
  };
}
