/**
 * The HTTP server's own limits (api/http/server.ts) and the per-address rate limit
 * (api/http/address-rate-limit.ts), on a real Node server: a client that sends its headers a byte at
 * a time is cut off at the headers timeout, connections past the cap are closed, and a flood
 * from one address is refused with 429 while monitoring paths stay open.
 */
import { connect } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { rateLimitAddresses, TokenBuckets } from '../../api/http/address-rate-limit.js';
import { listen, MONITORING_RESERVE } from '../../api/http/server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(app: Hono, limits: Parameters<typeof listen>[4]) {
  const http = await listen(app as never, '127.0.0.1', 0, undefined, limits);
  closers.push(http.close);
  const address = http.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const LIMITS = {
  headersTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  keepAliveTimeoutMs: 500,
  idleTimeoutMs: 10_000,
  maxConnections: 2,
  maxConnectionsPerAddress: 0,
  // Off here: these tests are about the timeouts (test/hardening/connection-limits.test.ts).
  bodyMinBytesPerSecond: 0,
  bodyRateGraceMs: 1000,
};

/** Resolves with how long the server kept the socket open (ms), and what it wrote. */
function slowClient(port: number, send: (write: (s: string) => void) => void) {
  return new Promise<{ openMs: number; received: string }>((resolve) => {
    const started = Date.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => send((s) => socket.writable && socket.write(s)));
    socket.on('data', (b) => {
      received += b.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ openMs: Date.now() - started, received }));
  });
}

describe('HTTP server limits', () => {
  it('cuts off a client that sends its headers a byte at a time', async () => {
    const port = await serve(
      new Hono().get('/', (c) => c.text('ok')),
      LIMITS,
    );
    const header = `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}`;
    let timer: NodeJS.Timeout | undefined;
    const result = await slowClient(port, (write) => {
      let i = 0;
      timer = setInterval(() => write(header[i++ % header.length]!), 100);
    });
    clearInterval(timer);
    // The timeout (1 s) plus the server's check interval (at most 1 s here), not Node's 300 s.
    expect(result.openMs).toBeLessThan(4000);
    expect(result.openMs).toBeGreaterThanOrEqual(900);
    expect(result.received).toMatch(/^HTTP\/1\.1 408/);
  }, 20_000);

  it('cuts off a client that trickles its body past the request timeout', async () => {
    const port = await serve(
      new Hono().post('/', async (c) => c.text(await c.req.text())),
      LIMITS,
    );
    let timer: NodeJS.Timeout | undefined;
    const result = await slowClient(port, (write) => {
      write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
      timer = setInterval(() => write('x'), 100);
    });
    clearInterval(timer);
    expect(result.openMs).toBeLessThan(5000);
    expect(result.received).toMatch(/^HTTP\/1\.1 408/);
  }, 20_000);

  it('serves only monitoring beyond the cap, and closes connections beyond its reserve', async () => {
    const port = await serve(
      new Hono().get('/', (c) => c.text('ok')).get('/healthz', (c) => c.text('healthy')),
      LIMITS,
    );
    const open = async (n: number) => {
      const sockets = Array.from({ length: n }, () => connect(port, '127.0.0.1'));
      await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
      await new Promise((r) => setTimeout(r, 100));
      return sockets;
    };
    const held = await open(2);
    const ask = (path: string) =>
      slowClient(port, (write) => write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    // Past the cap, a connection of the monitoring reserve: the probe is answered, nothing else.
    expect((await ask('/')).received).toMatch(/^HTTP\/1\.1 503[\s\S]*TOO_MANY_CONNECTIONS/);
    expect((await ask('/healthz')).received).toMatch(/^HTTP\/1\.1 200[\s\S]*healthy/);
    held.push(...(await open(MONITORING_RESERVE)));
    const beyond = await ask('/healthz');
    expect(beyond.received).toBe('');
    expect(beyond.openMs).toBeLessThan(1000);
    for (const s of held) s.destroy();
  });
});

describe('rate limit per client address', () => {
  it('token buckets: a burst, then one request per 1/rate, refilled when quiet', () => {
    const buckets = new TokenBuckets({ requestsPerSecond: 2, burst: 3 });
    const at = 1_000_000;
    expect([1, 2, 3].map(() => buckets.take('a', at))).toEqual([0, 0, 0]);
    expect(buckets.take('a', at)).toBe(500);
    expect(buckets.take('b', at)).toBe(0); // another address has its own bucket
    expect(buckets.take('a', at + 500)).toBe(0);
    expect(buckets.take('a', at + 500)).toBeGreaterThan(0);
    expect([1, 2, 3].map(() => buckets.take('a', at + 10_000))).toEqual([0, 0, 0]);
  });

  it('refuses a flood with 429 and Retry-After; /healthz, /metrics and assets stay open', async () => {
    const app = new Hono();
    app.use(
      '*',
      rateLimitAddresses({ addressRateLimit: { requestsPerSecond: 1, burst: 3 }, config: {} as never }),
    );
    const open = ['/healthz', '/metrics', '/assets/pages.css', '/api/987654325/x', '/xml-api/987654325/x'];
    for (const path of ['/tsa', '/login', '/xml-api/', ...open]) app.all(path, (c) => c.text('ok'));
    const port = await serve(app, LIMITS);
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    const tsa = [];
    for (let i = 0; i < 5; i++) tsa.push((await get('/tsa')).status);
    expect(tsa).toEqual([200, 200, 200, 429, 429]);
    const refused = await get('/tsa');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error.code).toBe('RATE_LIMITED');
    const page = await get('/login');
    expect(page.status).toBe(429);
    expect(await page.text()).toMatch(/too many requests/);
    // The XML API's root is no sender's: limited like any other path.
    expect((await get('/xml-api/')).status).toBe(429);
    for (const path of open) expect((await get(path)).status, path).toBe(200);
  });
});
