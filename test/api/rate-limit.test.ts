/**
 * The rate limit per organisation: 10 requests per second, the 11th is 429 with Retry-After and
 * the organisation stays blocked (2 s here instead of 30 s); it holds across two API processes
 * sharing one PostgreSQL; health, docs and dev endpoints are not limited, nor other organisations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/http/server.js';
import { expectError, jobsPath } from '../helpers/api/http.js';
import { freePort } from '../helpers/ports.js';
import { OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';

const BLOCK_SECONDS = 2;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ api: { rateLimit: { requestsPerSecond: 10, blockSeconds: BLOCK_SECONDS } } });
});
afterAll(async () => stack?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readUnknownJob = (baseUrl = stack.baseUrl, key = stack.apiKey, org?: string) =>
  fetch(`${baseUrl}${jobsPath('portal', org)}/no-such-job`, { headers: { authorization: `Bearer ${key}` } });

async function waitForUnblock() {
  await sleep(BLOCK_SECONDS * 1000 + 1100);
}

describe('rate limit', () => {
  it('the 11th request in a second is 429 with Retry-After, and the block lasts', async () => {
    const statuses = (await Promise.all(Array.from({ length: 11 }, () => readUnknownJob()))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 404)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);

    const blocked = await readUnknownJob();
    await expectError(blocked, 429, 'RATE_LIMITED');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(BLOCK_SECONDS);

    // Slow requests during the block are still refused: the block is not a per-second limit.
    await sleep(1100);
    expect((await readUnknownJob()).status).toBe(429);

    // Meanwhile: other organisations, health, docs and the dev endpoints are not limited.
    expect((await readUnknownJob(stack.baseUrl, stack.otherApiKey, OTHER_ORG)).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/openapi.json`)).status).toBe(200);
    expect(
      (await fetch(`${stack.baseUrl}/api/dev/signature-jobs/x/signers/y/sign`, { method: 'POST' })).status,
    ).toBe(404);

    await waitForUnblock();
    expect((await readUnknownJob()).status).toBe(404);
  });

  it('requests without valid credentials do not count against the organisation', async () => {
    await Promise.all(Array.from({ length: 15 }, () => readUnknownJob(stack.baseUrl, 'not-a-key')));
    expect((await readUnknownJob()).status).toBe(404);
  });

  it('holds across two API processes sharing the database', async () => {
    await sleep(1100); // a fresh one-second window
    const port = await freePort();
    const second = await listen(createApp(stack.apiDeps), '127.0.0.1', port);
    const secondUrl = `http://127.0.0.1:${port}`;
    try {
      const statuses = (
        await Promise.all(
          Array.from({ length: 12 }, (_, i) => readUnknownJob(i % 2 ? secondUrl : stack.baseUrl)),
        )
      ).map((r) => r.status);
      expect(statuses.filter((s) => s === 404)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
      // Both processes refuse now, whichever saw the breach.
      expect((await readUnknownJob(secondUrl)).status).toBe(429);
      expect((await readUnknownJob(stack.baseUrl)).status).toBe(429);
    } finally {
      await second.close();
    }
  });
});
