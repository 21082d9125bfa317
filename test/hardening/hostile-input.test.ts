/**
 * Hostile input against the API as it runs in production (api/main.ts as a child process, with
 * its real PostgreSQL, Temporal, PKI and verification threads): PDF bombs, deep nesting,
 * reference loops, truncations, hostile XML and multipart, 1 GB chunked bodies and a flood from
 * one address. Each attack gets a 4xx naming what was wrong; meanwhile `/healthz` answers within
 * a second, the process stays up, and its memory (threads included) stays below 1 GB.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalOidcProvider,
  localClientFor,
  localProviderEnv,
  startLocalOidcProvider,
} from '../../src/dev/oidc-provider.js';
import { seedDevSender } from '../../src/runtime.js';
import { createSigningContext } from '../../src/signatures/context.js';
import { addSealSignature } from '../../src/signing/pdf/signatures.js';
import { simplePdf } from '../fixtures/signing/pdfs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { type ServiceProcess, startServiceProcess, waitForHttp } from '../helpers/processes.js';
import { devServerEnv } from '../helpers/temporal.js';
import { floodFromChild } from './flood-process.js';
import { processMemory, streamUntilAnswered, watchHealth } from './hostile-client.js';
import {
  BILLION_LAUGHS,
  deepNesting,
  doubleDeflateBomb,
  kidsLoop,
  lengthLoop,
  objectStreamLoop,
  pdfOf,
  singleLayerBomb,
  XXE,
} from './hostile-documents.js';

const ORG = '987654325';
const API_KEY = `key-${randomUUID()}`;
const GB = 1024 * 1024 * 1024;

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let dir: string;
let api: ServiceProcess;
let oidc: LocalOidcProvider;
let base: string;
let sealed: Uint8Array<ArrayBuffer>;
let nextAddress = 1;

/** Each attack comes from its own address (the API trusts one proxy hop), so limits do not mix. */
const from = () => ({ 'x-forwarded-for': `198.51.100.${nextAddress++}` });

beforeAll(async () => {
  [env, t] = await Promise.all([devServerEnv(), createTestDatabase()]);
  await seedDevSender(t.db, ORG, API_KEY);
  dir = await mkdtemp(join(tmpdir(), 'esign-hostile-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The PKI the API will load, made here first so the test can seal a genuine PDF with it.
  await mkdir(join(dir, 'pki'), { recursive: true });
  const signing = await createSigningContext({ pkiDir: join(dir, 'pki'), publicUrl: base });
  sealed = new Uint8Array(
    await addSealSignature(await simplePdf(), {
      signer: signing.pki.seal,
      timeStamper: signing.timeStamper,
      signedAt: new Date(),
    }),
  );
  // The API discovers its login provider at start (nobody logs in here).
  oidc = await startLocalOidcProvider({ port: 0, clients: [localClientFor(base)] });
  api = startServiceProcess('api', 'api/main.ts', {
    ...localProviderEnv(oidc.issuer),
    APP_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: base,
    DATABASE_URL: t.url,
    DATA_DIR: join(dir, 'data'),
    PKI_DIR: join(dir, 'pki'),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `hostile-${randomUUID()}`,
    LOG_LEVEL: 'warn',
    TRUST_PROXY_HOPS: '1',
  });
  await waitForHttp(`${base}/healthz`, api);
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await oidc?.close();
  // The dev server outlives the test file otherwise: vitest's worker exits without stopping it.
  await env?.teardown();
  await t?.db.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Runs an attack while watching `/healthz` (every 100 ms) and the API's memory; then checks that
 * health answered within a second throughout, the process lives, and its peak RSS is under 1 GB.
 */
async function duringAttack<T>(attack: () => Promise<T>): Promise<T> {
  const health = watchHealth(base);
  const result = await attack();
  const seen = await health.stop();
  expect(api.child.exitCode, api.output()).toBeNull();
  expect(seen.failures).toBe(0);
  expect(seen.samples.length).toBeGreaterThan(0);
  expect(seen.maxMs).toBeLessThan(1000);
  const memory = await processMemory(api.child.pid!);
  expect(memory.peak).toBeLessThan(GB);
  return result;
}

async function verify(body: Uint8Array | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/verify`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { ...from(), ...headers },
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: string }; signatures?: unknown[] },
  };
}

describe('hostile input to the running API', () => {
  it('verifies a genuine sealed PDF in a verification thread (the control)', async () => {
    const { status, body } = await verify(sealed);
    expect(status).toBe(200);
    expect(body.signatures).toHaveLength(1);
  }, 120_000);

  it('refuses the double-deflate bomb (4 × 400 MB of zeros, compressed twice) with 413', async () => {
    const bomb = await doubleDeflateBomb();
    expect(bomb.length).toBeLessThan(16 * 1024);
    const { status, body } = await duringAttack(() => verify(bomb));
    expect(status).toBe(413);
    expect(body.error?.code).toBe('PDF_COMPRESSION_RATIO_TOO_HIGH');
  }, 120_000);

  it('refuses a single-layer bomb with 413', async () => {
    const { status, body } = await duringAttack(async () => verify(await singleLayerBomb()));
    expect([status, body.error?.code]).toEqual([413, 'PDF_STREAM_TOO_LARGE']);
  }, 120_000);

  it('refuses deep nesting and reference loops with 422 naming them', async () => {
    const results = await duringAttack(async () => [
      await verify(deepNesting()),
      await verify(lengthLoop()),
      await verify(objectStreamLoop()),
      await verify(kidsLoop()),
    ]);
    expect(results.map((r) => [r.status, r.body.error?.code])).toEqual([
      [422, 'PDF_NESTING_TOO_DEEP'],
      [422, 'PDF_REFERENCE_LOOP'],
      [422, 'PDF_REFERENCE_LOOP'],
      [422, 'PDF_TOO_MANY_LOOKUPS'],
    ]);
  }, 120_000);

  it('refuses truncated PDFs with 400', async () => {
    // (A cut inside the last incremental update only, leaving the previous revision whole, reads
    // as that revision, as every PDF reader does; these cuts leave no readable revision.)
    const cuts = [10, 200, Math.floor(sealed.length / 2), sealed.length - 3000];
    const results = await duringAttack(async () => {
      const out = [];
      for (const keep of cuts) out.push(await verify(sealed.slice(0, keep)));
      return out;
    });
    for (const r of results) expect([r.status, r.body.error?.code]).toEqual([400, 'UNREADABLE_DOCUMENT']);
  }, 120_000);

  it('refuses XML with a DTD (external entity, billion laughs) with 400', async () => {
    for (const xml of [XXE, BILLION_LAUGHS]) {
      const { status, body } = await verify(xml, { 'content-type': 'application/xml' });
      expect([status, body.error?.code]).toEqual([400, 'XML_DTD_NOT_ALLOWED']);
    }
  });

  it('refuses hostile multipart bodies with 4xx naming the problem', async () => {
    const create = (body: string, contentType: string) =>
      fetch(`${base}/api/${ORG}/direct/signature-jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': contentType },
        body,
      }).then(async (r) => [r.status, ((await r.json()) as { error: { code: string } }).error.code]);
    const boundary = 'XyZ';
    // No closing boundary, a part header without end, 10,000 parts, a job part of broken JSON.
    const unterminated = `--${boundary}\r\nContent-Disposition: form-data; name="job"\r\n\r\n{`;
    const headerless = `--${boundary}\r\nContent-Disposition: form-data; name="job"`;
    const manyParts = `${Array.from(
      { length: 10_000 },
      (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="p${i}"\r\n\r\nx\r\n`,
    ).join('')}--${boundary}--\r\n`;
    const results = await duringAttack(async () => [
      await create(unterminated, `multipart/form-data; boundary=${boundary}`),
      await create(headerless, `multipart/form-data; boundary=${boundary}`),
      await create(manyParts, `multipart/form-data; boundary=${boundary}`),
      await create('{}', 'multipart/form-data'),
    ]);
    for (const [status] of results) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect(results[3]).toEqual([400, 'INVALID_CONTENT_TYPE']);
  }, 120_000);

  it('cuts off 1 GB chunked bodies to /tsa, /api/verify, an upload and a JSON body at their limits', async () => {
    const targets: [string, Record<string, string>, number][] = [
      ['/tsa', { 'content-type': 'application/timestamp-query', ...from() }, 16 * 1024],
      ['/api/verify', { 'content-type': 'application/pdf', ...from() }, 40 * 1024 * 1024],
      [
        `/api/${ORG}/direct/signature-jobs`,
        { authorization: `Bearer ${API_KEY}`, 'content-type': 'multipart/form-data; boundary=b' },
        34 * 1024 * 1024,
      ],
      [
        `/api/${ORG}/portal/signature-jobs/1/deadline`,
        { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        16 * 1024,
      ],
    ];
    const results = await duringAttack(async () => {
      const out = [];
      for (const [path, headers] of targets)
        out.push(await streamUntilAnswered(`${base}${path}`, { headers }));
      return out;
    });
    results.forEach((r, i) => {
      const limit = targets[i]![2];
      expect([r.status, JSON.parse(r.body).error.code]).toEqual([413, 'BODY_TOO_LARGE']);
      // Refused near its limit (plus what was in flight), far from the gigabyte.
      expect(r.sentBytes).toBeLessThan(limit + 200 * 1024 * 1024);
    });
  }, 300_000);

  // 200 requests a second here (this suite shares its machine with the rest of `npm test`);
  // bench/hardening/run.ts measures 1,000 a second and docs/benchmarks.md has its figures.
  it('refuses a flood from one address to /tsa and /api/verify with 429 while serving others', async () => {
    const address = from();
    const each = { perSecond: 100, seconds: 3, method: 'POST' };
    const floods = await Promise.all([
      floodFromChild({
        ...each,
        url: `${base}/tsa`,
        headers: { ...address, 'content-type': 'application/timestamp-query' },
        body: Buffer.from([0x30, 0x00]).toString('base64'),
      }),
      floodFromChild({
        ...each,
        url: `${base}/api/verify`,
        headers: address,
        // An unsigned PDF: what is measured is the refusal, not the verifications let through.
        body: pdfOf({ 1: '<< /Type /Catalog >>' }).toString('base64'),
      }),
    ]);
    const [tsa, verifyFlood] = await duringAttack(() => Promise.all([floods[0].go(), floods[1].go()]));
    const seen = JSON.stringify({ tsa, verify: verifyFlood });
    expect(tsa.errors + verifyFlood.errors, seen).toBe(0);
    // Answered when allowed: the TSA with a (rejecting) time-stamp reply, the verifier a report.
    const allowed = (tsa.byStatus[200] ?? 0) + (verifyFlood.byStatus[200] ?? 0);
    const limited = (tsa.byStatus[429] ?? 0) + (verifyFlood.byStatus[429] ?? 0);
    expect(allowed + limited, seen).toBe(600);
    // 40 at once, then 20 a second (the defaults) shared by both endpoints: most are refused.
    expect(allowed, seen).toBeGreaterThan(0);
    expect(limited, seen).toBeGreaterThan(300);
    // Another address is served meanwhile.
    expect((await verify(sealed)).status).toBe(200);
  }, 180_000);
});
