/**
 * The one way in to several API processes for `npm run cluster`, doing what deploy/nginx/nginx.conf
 * does in docker-compose.yml: requests spread round-robin over the upstreams, the body limit read
 * from that same file, X-Forwarded-For added (the APIs trust one hop), and /proxy-health answered
 * here. Like nginx, a request whose upstream refused the connection goes to the next one (nothing
 * was sent yet); once sent, a failure is a 502, never a second delivery of a non-idempotent request.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';

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

  const server = createServer(async (req, res) => {
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
