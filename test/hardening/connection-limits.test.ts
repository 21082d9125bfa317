/**
 * Connections bounded per client (issue 23), on the real stack (test/helpers/stack.ts) with
 * short timeouts so it runs in seconds: 1,100 sockets trickling header lines from one address
 * leave `/healthz` answering within a second on fresh connections; five uploads of a byte a second
 * to `/api/verify` hold no verifier place, so another client's document is verified meanwhile; a
 * body below the minimum rate is cut off with 408, one above it is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyTooSlow } from '../../src/http/body-rate.js';
import { admitConnection } from '../../src/http/connection-caps.js';
import { samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { slowSocketsFromChild } from './flood-process.js';
import { slowUpload, watchHealth } from './hostile-client.js';

describe('the rules', () => {
  const caps = { maxConnections: 10, maxPerAddress: 3, monitoringReserve: 2 };

  it('admits an address up to its own cap, everyone up to the overall cap, then monitoring only', () => {
    expect(admitConnection(caps, { total: 0, fromAddress: 2 })).toBe('serve');
    expect(admitConnection(caps, { total: 0, fromAddress: 3 })).toBe('refuse');
    expect(admitConnection(caps, { total: 9, fromAddress: 0 })).toBe('serve');
    expect(admitConnection(caps, { total: 10, fromAddress: 0 })).toBe('monitoring-only');
    expect(admitConnection(caps, { total: 11, fromAddress: 0 })).toBe('monitoring-only');
    expect(admitConnection(caps, { total: 12, fromAddress: 0 })).toBe('refuse');
    // The reserve is no way around an address's own cap.
    expect(admitConnection(caps, { total: 10, fromAddress: 3 })).toBe('refuse');
    // 0: no per-address cap (a proxy in front holds it).
    expect(admitConnection({ ...caps, maxPerAddress: 0 }, { total: 5, fromAddress: 500 })).toBe('serve');
  });

  it('cuts a body only past its grace time, below the average rate, while the server reads', () => {
    const rate = { minBytesPerSecond: 100, graceMs: 2000 };
    const body = { elapsedMs: 1999, bytes: 0, serverNotReading: false };
    expect(bodyTooSlow(rate, body)).toBe(false);
    expect(bodyTooSlow(rate, { ...body, elapsedMs: 3000, bytes: 299 })).toBe(true);
    expect(bodyTooSlow(rate, { ...body, elapsedMs: 3000, bytes: 300 })).toBe(false);
    // Not the client's fault: the handler has not read what arrived.
    expect(bodyTooSlow(rate, { ...body, elapsedMs: 3000, serverNotReading: true })).toBe(false);
    expect(bodyTooSlow({ ...rate, minBytesPerSecond: 0 }, { ...body, elapsedMs: 60_000 })).toBe(false);
  });
});

describe('slow clients on the real API', () => {
  let stack: Stack;
  let port: number;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        // Short, so the attacks play out in seconds; the rules are those of the defaults.
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_BODY_RATE_GRACE_MS: '2000',
        HTTP_BODY_MIN_BYTES_PER_SECOND: '64',
        // One thread and four waiting: five places, as five slow uploads took in the issue.
        VERIFY_WORKERS: '1',
        VERIFY_QUEUE_LIMIT: '4',
      },
    });
    port = Number(new URL(stack.baseUrl).port);
  });
  afterAll(() => stack?.stop());

  it('1,100 slow sockets from one address: /healthz answers within 1 s on new connections throughout', async () => {
    // The attacker's own address (any 127.x.y.z is this machine); the probe comes from 127.0.0.1.
    const attacker = '127.0.0.2';
    const attack = await slowSocketsFromChild({
      port,
      count: 1100,
      localAddress: attacker,
      seconds: 8,
      lineEveryMs: 500,
      reopenAfterMs: 1000,
    });
    const attacking = attack.go();
    const health = watchHealth(stack.baseUrl, 100, { freshConnections: true });
    let mostHeld = 0;
    const pages: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 8000) {
      mostHeld = Math.max(mostHeld, stack.connections.fromAddress(attacker));
      if (pages.length < 5 && Date.now() - started > 1000) {
        pages.push((await fetch(`${stack.baseUrl}/openapi.json`)).status);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const h = await health.stop();
    const { connections } = await attacking;
    const seen = JSON.stringify({
      ...h,
      samples: h.samples.map((s) => Math.round(s)),
      mostHeld,
      connections,
      pages,
    });
    expect(h.samples.length, seen).toBeGreaterThan(30);
    expect(h.failures, seen).toBe(0);
    expect(h.maxMs, seen).toBeLessThan(1000);
    // The attacker held its share and no more; the rest of its sockets were refused as they came.
    expect(mostHeld, seen).toBeGreaterThan(0);
    expect(mostHeld, seen).toBeLessThanOrEqual(64);
    expect(stack.connections.refused(), seen).toBeGreaterThan(1000);
    // Everyone else is served, not just the probe.
    expect(pages, seen).toEqual([200, 200, 200, 200, 200]);
  }, 60_000);

  it('five uploads of a byte a second to /api/verify: another client is verified meanwhile; they get 408', async () => {
    const pdf = await samplePdf();
    const verify = () =>
      fetch(`${stack.baseUrl}/api/verify`, { method: 'POST', body: new Uint8Array(pdf) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { problems?: string[]; error?: { code: string } },
      }));
    // The thread started first: what is timed is the wait for a place, not a thread's start-up.
    expect((await verify()).status).toBe(200);

    const slow = Array.from({ length: 5 }, () =>
      slowUpload(`${stack.baseUrl}/api/verify`, {
        bytesPerSecond: 1,
        totalBytes: 100_000,
        headers: { 'content-type': 'application/pdf' },
      }),
    );
    let slowAnswered = 0;
    for (const s of slow) void s.then(() => slowAnswered++);
    await new Promise((r) => setTimeout(r, 1000));
    const other = await verify();
    // Answered with its report while all five were still sending (before their grace ran out).
    expect(slowAnswered).toBe(0);
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect(other.body.problems).toContain('the PDF has no signatures');

    const cut = await Promise.all(slow);
    for (const r of cut) {
      expect(r.status, r.body).toBe(408);
      expect(JSON.parse(r.body).error.code).toBe('BODY_TOO_SLOW');
      // Past the 2 s grace, and long before the minute a byte a second held a place before.
      expect(r.ms).toBeGreaterThanOrEqual(2000);
      expect(r.ms).toBeLessThan(6000);
    }
  }, 60_000);

  it('a body above the minimum rate is read to its end, not cut', async () => {
    // 200 bytes a second against a minimum of 64, for four seconds: past the grace time. Three
    // times the minimum, so a client whose timers lag on a busy machine still stays above it.
    const r = await slowUpload(`${stack.baseUrl}/api/verify`, {
      bytesPerSecond: 200,
      totalBytes: 800,
      headers: { 'content-type': 'application/pdf' },
    });
    expect(r.sentBytes).toBe(800);
    expect(r.ms).toBeGreaterThanOrEqual(3000);
    // Not a PDF one can read: the verifier's own 4xx, after the whole body.
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body).error.code).toBe('UNREADABLE_DOCUMENT');
  }, 30_000);
});
