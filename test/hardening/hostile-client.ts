/**
 * The attacker's side for the hostile-input tests and bench/hardening: a body streamed lazily
 * until the server refuses it, a flood at a fixed rate, slow sockets and slow uploads, and a
 * watch on `/healthz` and on the API process's memory while that goes on.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Refusal {
  status: number;
  body: string;
  /** Bytes written before the answer came (or the connection was cut). */
  sentBytes: number;
  ms: number;
}

/**
 * POSTs a chunked body of up to `totalBytes` (generated as it goes: nothing is held), stopping
 * at the server's first answer. A connection cut without an answer resolves with status 0.
 */
export function streamUntilAnswered(
  url: string,
  opts: { totalBytes?: number; headers?: Record<string, string>; chunk?: Buffer } = {},
): Promise<Refusal> {
  const total = opts.totalBytes ?? 1024 * 1024 * 1024;
  const chunk = opts.chunk ?? Buffer.alloc(1024 * 1024, 0x41);
  const started = Date.now();
  return new Promise((resolve) => {
    let sent = 0;
    let answered = false;
    let settled = false;
    const done = (r: Omit<Refusal, 'ms' | 'sentBytes'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, sentBytes: sent, ms: Date.now() - started });
    };
    const req = request(url, {
      method: 'POST',
      headers: { ...opts.headers, 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      const finish = () => {
        done({ status: res.statusCode ?? 0, body });
        req.destroy();
      };
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.on('error', () => {
      if (!answered) done({ status: 0, body: '' });
    });
    const pump = () => {
      while (!answered && !req.destroyed && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && sent >= total) req.end();
    };
    pump();
  });
}

export interface FloodResult {
  sent: number;
  byStatus: Record<number, number>;
  /** Requests that failed without an answer (connection refused or cut). */
  errors: number;
}

/** One request over `agent`: its status and body as text (status 0 if it failed unanswered). */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string },
  agent: Agent,
  timeoutMs = 30_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      agent,
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(init.body);
  });
}

/**
 * `perSecond` requests a second for `seconds`, without waiting for answers between them, over
 * 64 kept-alive connections of its own (as a load generator does; the watcher has its own).
 */
export async function flood(
  url: string,
  perSecond: number,
  seconds: number,
  init: () => { method?: string; headers?: Record<string, string>; body?: Uint8Array | string },
  /** The attacker's address (a 127.x.y.z of its own), else the machine's default. */
  localAddress?: string,
): Promise<FloodResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ...(localAddress ? { localAddress } : {}) });
  const result: FloodResult = { sent: 0, byStatus: {}, errors: 0 };
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  const total = perSecond * seconds;
  while (result.sent < total) {
    // Catch up to where the schedule says we should be, then yield for a millisecond.
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * perSecond) + 1);
    for (; result.sent < due; result.sent++) {
      inFlight.push(
        send(url, init(), agent).then(({ status }) => {
          if (status === 0) result.errors++;
          else result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return result;
}

export interface HealthWatch {
  /** Stops watching; resolves with what was seen. */
  stop(): Promise<{ samples: number[]; failures: number; maxMs: number; p99Ms: number }>;
}

/**
 * Asks `/healthz` every `everyMs` (one at a time) and times each answer: on a kept-alive
 * connection of its own, or with `freshConnections` a new one each time (as a load balancer's
 * probe does: what a server refusing new connections fails).
 */
export function watchHealth(
  baseUrl: string,
  everyMs = 100,
  opts: { freshConnections?: boolean; localAddress?: string } = {},
): HealthWatch {
  const samples: number[] = [];
  let failures = 0;
  let running = true;
  // A connection of its own, so the watch never queues behind an attack's requests.
  const agent = new Agent({
    keepAlive: !opts.freshConnections,
    maxSockets: 1,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const { status } = await send(`${baseUrl}/healthz`, {}, agent, 10_000);
      if (status !== 200) failures++;
      samples.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      const sorted = [...samples].sort((a, b) => a - b);
      return {
        samples,
        failures,
        maxMs: sorted.at(-1) ?? 0,
        p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
      };
    },
  };
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), in bytes (Linux). */
export async function processMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export interface SlowSockets {
  /** Sockets open now (connected and not yet closed by the server). */
  open(): number;
  /** Stops: every socket closed; resolves with how many connections were made in all. */
  stop(): Promise<{ connections: number }>;
}

/**
 * `count` sockets that send a request line and then a header line every `lineEveryMs`, never
 * finishing their headers; each one the server closes is opened again after `reopenAfterMs` (the
 * attack of issue 23: incomplete headers dropped at the timeout are simply reopened). From
 * `localAddress` when given (any 127.x.y.z is this machine: an attacker's address of its own).
 */
export function slowSockets(
  port: number,
  opts: { count: number; host?: string; localAddress?: string; lineEveryMs?: number; reopenAfterMs?: number },
): SlowSockets {
  const sockets = new Set<Socket>();
  let connections = 0;
  let running = true;
  const reopen = opts.reopenAfterMs ?? 1000;
  const openOne = () => {
    if (!running) return;
    connections++;
    const socket = connect({
      port,
      host: opts.host ?? '127.0.0.1',
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    socket.on('connect', () => {
      sockets.add(socket);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      if (running) setTimeout(openOne, reopen).unref();
    });
  };
  for (let i = 0; i < opts.count; i++) openOne();
  let n = 0;
  const trickle = setInterval(() => {
    for (const s of sockets) if (s.writable) s.write(`X-${n++}: a\r\n`);
  }, opts.lineEveryMs ?? 500);
  return {
    open: () => sockets.size,
    async stop() {
      running = false;
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
      return { connections };
    },
  };
}

/**
 * POSTs `totalBytes` of `body` (repeated) at `bytesPerSecond`, one write a second, and resolves
 * with the server's answer (status 0 if the connection was cut without one).
 */
export function slowUpload(
  url: string,
  opts: {
    bytesPerSecond: number;
    totalBytes: number;
    headers?: Record<string, string>;
    body?: Buffer;
    localAddress?: string;
    /** Gives up (status 0) after this long without an answer. */
    maxMs?: number;
  },
): Promise<Refusal> {
  const source = opts.body ?? Buffer.from('%PDF-1.7\n');
  const started = Date.now();
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    const done = (status: number, body: string) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      resolve({ status, body, sentBytes: sent, ms: Date.now() - started });
    };
    const req = request(url, {
      method: 'POST',
      headers: { ...opts.headers, 'content-length': String(opts.totalBytes) },
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    if (opts.maxMs) {
      setTimeout(() => {
        req.destroy();
        done(0, '');
      }, opts.maxMs).unref();
    }
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => done(res.statusCode ?? 0, body));
      res.on('error', () => done(res.statusCode ?? 0, body));
    });
    req.on('error', () => done(0, ''));
    const write = () => {
      if (req.destroyed || sent >= opts.totalBytes) return;
      const n = Math.min(opts.bytesPerSecond, opts.totalBytes - sent);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) chunk[i] = source[(sent + i) % source.length]!;
      sent += n;
      if (sent >= opts.totalBytes) req.end(chunk);
      else req.write(chunk);
    };
    write();
    const timer = setInterval(write, 1000);
  });
}
