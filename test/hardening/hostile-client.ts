/**
 * The attacker's side for the hostile-input tests and bench/hardening: a body streamed lazily
 * until the server refuses it, a flood at a fixed rate, and a watch on `/healthz` and on the
 * API process's memory while that goes on.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';

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
): Promise<FloodResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
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

/** Asks `/healthz` every `everyMs` (one at a time) and times each answer. */
export function watchHealth(baseUrl: string, everyMs = 100): HealthWatch {
  const samples: number[] = [];
  let failures = 0;
  let running = true;
  // A connection of its own, so the watch never queues behind an attack's requests.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
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
