/**
 * The rate limit per organisation: 10 requests per second, the 11th is 429 with Retry-After and
 * the organisation stays blocked (2 s here instead of 30 s); it holds across two API processes
 * sharing one PostgreSQL; health, docs and dev endpoints are not limited, nor other organisations.
 * A sender's own limit, set with the operator's CLI, replaces the default for that sender only,
 * whichever way it authenticates (API key, enterprise certificate on the JSON or the XML API).
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/http/server.js';
import { runCli } from '../../src/cli/commands.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import {
  enterpriseCrls,
  type IssuedEnterpriseCertificate,
  issueEnterpriseCertificate,
  loadOrCreateEnterprisePki,
} from '../../src/signing/enterprise-pki.js';
import { expectError, jobsPath } from '../helpers/api/http.js';
import { freePort } from '../helpers/ports.js';
import { ORG, OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';

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

/** The operator's command, as `npm run cli -- orgs rate-limit <org> <value>` runs it. */
async function setSenderLimit(org: string, value: string) {
  const io = { out: () => {}, err: (line: string) => expect.fail(line) };
  expect(await runCli(['orgs', 'rate-limit', org, value], stack.t.db, io)).toBe(0);
}

/** How many answers had each status, e.g. { 404: 15, 429: 5 }. */
function statusCounts(statuses: number[]) {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

const burst = async (n: number, send: () => Promise<{ status: number }>) =>
  statusCounts((await Promise.all(Array.from({ length: n }, send))).map((r) => r.status));

describe("a sender's own limit, set by the operator", () => {
  it('a raised limit lets its sender past the default while another sender is still held to it; 0 is none; default resets', async () => {
    await waitForUnblock(); // the tests above leave ORG blocked
    await setSenderLimit(ORG, '15');
    const [own, other] = await Promise.all([
      burst(20, () => readUnknownJob()),
      burst(11, () => readUnknownJob(stack.baseUrl, stack.otherApiKey, OTHER_ORG)),
    ]);
    expect(own).toEqual({ 404: 15, 429: 5 });
    expect(other).toEqual({ 404: 10, 429: 1 });

    await waitForUnblock();
    await setSenderLimit(ORG, '0');
    expect(await burst(40, () => readUnknownJob())).toEqual({ 404: 40 });

    await setSenderLimit(ORG, 'default');
    await sleep(1100); // a fresh one-second window
    expect(await burst(11, () => readUnknownJob())).toEqual({ 404: 10, 429: 1 });
  });

  it('holds for a sender authenticated by its enterprise certificate, on the JSON and the XML API', async () => {
    const work = await mkdtemp(join(tmpdir(), 'esign-rate-limit-'));
    const pki = await loadOrCreateEnterprisePki(join(work, 'enterprise'), { hostnames: ['127.0.0.1'] });
    // Two senders of their own (valid numbers, as the CLI checks), so neither waits for a block.
    const [JSON_ORG, XML_ORG] = ['889640782', '923609016'];
    for (const orgNumber of [JSON_ORG, XML_ORG]) {
      await upsertOrganisation(stack.t.db, { orgNumber, name: `Sender ${orgNumber}`, sector: 'PUBLIC' });
    }
    const certs = {
      json: await issueEnterpriseCertificate(pki, JSON_ORG),
      xml: await issueEnterpriseCertificate(pki, XML_ORG),
    };
    // A second API process on the same database, over mutual TLS with the XML API.
    const port = await freePort();
    const baseUrl = `https://127.0.0.1:${port}`;
    const tlsApi = await listen(
      createApp({
        ...stack.apiDeps,
        xmlApi: {
          publicUrl: `${baseUrl}/xml-api`,
          trustAnchors: [new x509.X509Certificate(pki.caPem)],
          revocation: enterpriseCrls(pki),
        },
      }),
      '127.0.0.1',
      port,
      { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, requestCert: true },
    );
    const get = (path: string, cert: IssuedEnterpriseCertificate) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = request(
          `${baseUrl}${path}`,
          { ca: pki.caPem, cert: cert.chain, key: cert.key, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      await setSenderLimit(JSON_ORG, '15');
      await setSenderLimit(XML_ORG, '15');
      const [json, xml] = await Promise.all([
        burst(20, () => get(`${jobsPath('portal', JSON_ORG)}/no-such-job`, certs.json)),
        burst(20, () => get(`/xml-api/${XML_ORG}/direct/signature-jobs/999999/status`, certs.xml)),
      ]);
      expect(json).toEqual({ 404: 15, 429: 5 });
      expect(xml).toEqual({ 404: 15, 429: 5 });
    } finally {
      await tlsApi.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
