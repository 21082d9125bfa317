/**
 * The one way in to several API processes for `npm run cluster`, doing what deploy/nginx/nginx.conf
 * does in docker-compose.yml: requests spread round-robin over the upstreams, the body limit read
 * from that same file, X-Forwarded-For added (the APIs trust one hop), and /proxy-health answered
 * here. Like nginx, a request whose upstream refused the connection goes to the next one (nothing
 * was sent yet); once sent, a failure is a 502, never a second delivery of a non-idempotent request.
 * Like nginx too, it holds the slow clients: connections per client address, time for headers,
 * idle time, read from the same file, and the API's minimum body rate, so a client trickling
 * bytes holds this proxy's connection, never an API process's.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { HTTP_LIMIT_DEFAULTS } from '../config.js';
import { enforceBodyRate } from '../http/body-rate.js';
import { capConnections } from '../http/connection-caps.js';

export interface ApiProxy {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** client_max_body_size of the nginx configuration, in bytes (only the `NNm` form is used there). */
export function nginxBodyLimit(confPath: string): number {
  const m = /^\s*client_max_body_size\s+(\d+)m;/m.exec(readFileSync(confPath, 'utf8'));
  if (!m) throw new Error(`${confPath}: no client_max_body_size NNm`);
  return Number(m[1]) * 1024 * 1024;
}

/** What nginx.conf's http server allows one client (the directives the Node proxy also applies). */
export interface ClientLimits {
  /** `limit_conn per_client N`: connections open at once from one address. */
  maxConnectionsPerAddress: number;
  /** `client_header_timeout Ns`. */
  headersTimeoutMs: number;
  /** `keepalive_timeout Ns`: idle time between requests. */
  keepAliveTimeoutMs: number;
  /** `send_timeout Ns`: time without progress while answering (Node: without a byte either way). */
  idleTimeoutMs: number;
}

/** The client limits of the nginx configuration (the `Ns` and plain-number forms used there). */
export function nginxClientLimits(confPath: string): ClientLimits {
  const text = readFileSync(confPath, 'utf8');
  const directive = (name: string, pattern: string) => {
    const m = new RegExp(`^\\s*${name}\\s+${pattern};`, 'm').exec(text);
    if (!m) throw new Error(`${confPath}: no ${name}`);
    return Number(m[1]);
  };
  return {
    maxConnectionsPerAddress: directive('limit_conn', 'per_client\\s+(\\d+)'),
    headersTimeoutMs: directive('client_header_timeout', '(\\d+)s') * 1000,
    keepAliveTimeoutMs: directive('keepalive_timeout', '(\\d+)s') * 1000,
    idleTimeoutMs: directive('send_timeout', '(\\d+)s') * 1000,
  };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
const withoutHopByHop = (headers: IncomingMessage['headers']) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));

// An upstream that refused a connection is skipped this long (nginx: max_fails=1 fail_timeout=10s).
const FAIL_TIMEOUT_MS = 10_000;

export async function startApiProxy(opts: {
  port: number;
  host?: string;
  upstreams: string[];
  maxBodyBytes: number;
  clientLimits: ClientLimits;
}): Promise<ApiProxy> {
  const upstreams = opts.upstreams.map((url) => ({ url: new URL(url), downUntil: 0 }));
  let next = 0;

  const order = () => {
    const start = next++ % upstreams.length;
    const rotated = [...upstreams.slice(start), ...upstreams.slice(0, start)];
    const now = Date.now();
    const up = rotated.filter((u) => u.downUntil <= now);
    return up.length > 0 ? [...up, ...rotated.filter((u) => u.downUntil > now)] : rotated;
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer | 'too large'>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBodyBytes) {
          req.pause();
          resolve('too large');
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const forward = (
    target: URL,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): Promise<'done' | 'refused'> =>
    new Promise((resolve) => {
      const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
        .filter(Boolean)
        .join(', ');
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: {
            ...withoutHopByHop(req.headers),
            'x-forwarded-for': forwardedFor,
            'x-forwarded-proto': 'http',
            'content-length': String(body.length),
            connection: 'close',
          },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on('end', () => resolve('done'));
          up.on('error', () => {
            res.destroy();
            resolve('done');
          });
        },
      );
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') return resolve('refused');
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('bad gateway\n');
        } else res.destroy();
        resolve('done');
      });
      upstream.end(body);
    });

  const limits = opts.clientLimits;
  const timing = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: HTTP_LIMIT_DEFAULTS.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and request timeouts on this interval (default 30 s).
    connectionsCheckingInterval: 1000,
  };
  const server = createServer(timing, async (req, res) => {
    if (req.url === '/proxy-health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) return res.destroy();
    if (body === 'too large') {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      res.end('request entity too large\n');
      return;
    }
    for (const u of order()) {
      if ((await forward(u.url, req, body, res)) === 'done') return;
      u.downUntil = Date.now() + FAIL_TIMEOUT_MS;
    }
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('no API process answers\n');
  });
  server.timeout = limits.idleTimeoutMs;
  capConnections(server, {
    maxConnections: HTTP_LIMIT_DEFAULTS.HTTP_MAX_CONNECTIONS,
    maxPerAddress: limits.maxConnectionsPerAddress,
    monitoringReserve: 16,
    monitoringPaths: ['/proxy-health', '/healthz'],
  });
  enforceBodyRate(server, {
    minBytesPerSecond: HTTP_LIMIT_DEFAULTS.HTTP_BODY_MIN_BYTES_PER_SECOND,
    graceMs: HTTP_LIMIT_DEFAULTS.HTTP_BODY_RATE_GRACE_MS,
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${opts.port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
