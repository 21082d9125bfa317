/**
 * Hardening benchmark: the API under attack, as it runs in production (api/main.ts as a child
 * process, on the embedded PostgreSQL and Temporal dev server of the fault tests), while another
 * client asks `/healthz` every 100 ms on a connection of its own.
 *
 *   npx tsx bench/hardening/run.ts                       about a minute
 *   HARDENING_FLOOD_SECONDS=10 npx tsx bench/hardening/run.ts
 *
 * Phases: the double-deflate bomb of issue 12 (4 × 400 MB of zeros, compressed twice; sent
 * HARDENING_BOMBS times), a 1 GB chunked body to `/tsa` and to `/api/verify` (streamed until the
 * 413), then 1,000 requests a second from one address for HARDENING_FLOOD_SECONDS (500 a second
 * each to `/api/verify` with a sealed PDF and to `/tsa`, from two processes of their own).
 * Reported per phase: what the attack got back, `/healthz` latency (p50, p99, max) and failures,
 * and the API process's peak resident memory (its threads included). Target: health within 1 s,
 * memory under 1 GB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigningContext } from '../../src/signatures/context.js';
import { addSealSignature } from '../../src/signing/pdf/signatures.js';
import { startFaultStack } from '../../test/faults/support/fault-stack.js';
import { simplePdf } from '../../test/fixtures/signing/pdfs.js';
import { floodFromChild } from '../../test/hardening/flood-process.js';
import { processMemory, streamUntilAnswered, watchHealth } from '../../test/hardening/hostile-client.js';
import { doubleDeflateBomb } from '../../test/hardening/hostile-documents.js';

const BOMBS = Number(process.env.HARDENING_BOMBS ?? 50);
const FLOOD_SECONDS = Number(process.env.HARDENING_FLOOD_SECONDS ?? 5);
const MB = 1024 * 1024;

const stack = await startFaultStack({ keepMail: false });
const api = await stack.startApi(undefined, { LOG_LEVEL: 'warn' });
const pid = api.process.child.pid!;

/** Runs a phase while timing /healthz and sampling the API's resident memory every 50 ms. */
async function phase(name: string, attack: () => Promise<string>) {
  const health = watchHealth(api.url);
  let peak = (await processMemory(pid)).rss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await processMemory(pid)).rss);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const started = Date.now();
  const outcome = await attack();
  const seconds = (Date.now() - started) / 1000;
  sampling = false;
  await sampler;
  const h = await health.stop();
  const sorted = [...h.samples].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `${name.padEnd(34)} ${seconds.toFixed(1).padStart(5)} s  health p50 ${p50.toFixed(0).padStart(4)} ms` +
      `  p99 ${h.p99Ms.toFixed(0).padStart(4)} ms  max ${h.maxMs.toFixed(0).padStart(4)} ms` +
      `  failed ${h.failures}/${h.samples.length}  RSS peak ${(peak / MB).toFixed(0)} MB  | ${outcome}`,
  );
}

async function verify(body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}/api/verify`, { method: 'POST', body: new Uint8Array(body), headers });
  const json = (await res.json()) as { error?: { code: string } };
  return `${res.status} ${json.error?.code ?? ''}`.trim();
}

try {
  // A genuine sealed PDF from the API's own PKI: what the flood sends, and the warm-up that
  // starts the verification threads.
  const dir = await mkdtemp(join(tmpdir(), 'esign-hardening-'));
  const signing = await createSigningContext({ pkiDir: join(dir, 'pki'), publicUrl: api.url });
  const sealed = await addSealSignature(await simplePdf(), {
    signer: signing.pki.seal,
    timeStamper: signing.timeStamper,
    signedAt: new Date(),
  });
  await rm(dir, { recursive: true, force: true });
  console.log(`warm-up /api/verify of a sealed PDF: ${await verify(sealed, { 'x-forwarded-for': '0' })}`);
  const idle = (await processMemory(pid)).rss;
  console.log(`API resident memory before the attacks: ${(idle / MB).toFixed(0)} MB\n`);

  await phase('idle (baseline)', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    return '';
  });

  const bomb = await doubleDeflateBomb();
  await phase(`double-deflate bomb × ${BOMBS} (${bomb.length} B)`, async () => {
    const answers = new Map<string, number>();
    for (let i = 0; i < BOMBS; i++) {
      const a = await verify(bomb);
      answers.set(a, (answers.get(a) ?? 0) + 1);
    }
    return [...answers].map(([a, n]) => `${n} × ${a}`).join(', ');
  });

  for (const [path, headers] of [
    ['/tsa', { 'content-type': 'application/timestamp-query' }],
    ['/api/verify', { 'content-type': 'application/pdf' }],
  ] as const) {
    await phase(`1 GB chunked body to ${path}`, async () => {
      const r = await streamUntilAnswered(`${api.url}${path}`, { headers });
      return `${r.status} after ${(r.sentBytes / MB).toFixed(0)} MB sent, ${r.ms} ms`;
    });
  }

  const each = { perSecond: 500, seconds: FLOOD_SECONDS, method: 'POST', headers: {} };
  const floods = await Promise.all([
    floodFromChild({ ...each, url: `${api.url}/api/verify`, body: Buffer.from(sealed).toString('base64') }),
    floodFromChild({
      ...each,
      url: `${api.url}/tsa`,
      headers: { 'content-type': 'application/timestamp-query' },
      body: Buffer.from([0x30, 0x00]).toString('base64'),
    }),
  ]);
  await phase(`1,000 req/s from one address × ${FLOOD_SECONDS} s`, async () => {
    const [verifyFlood, tsa] = await Promise.all([floods[0].go(), floods[1].go()]);
    const show = (r: typeof tsa) =>
      `${Object.entries(r.byStatus)
        .map(([s, n]) => `${n} × ${s}`)
        .join(', ')}${r.errors ? `, ${r.errors} failed` : ''}`;
    return `/api/verify: ${show(verifyFlood)}; /tsa: ${show(tsa)}`;
  });

  const end = await processMemory(pid);
  console.log(
    `\nAPI alive: ${api.process.child.exitCode === null}; resident ${(end.rss / MB).toFixed(0)} MB, peak over the run ${(end.peak / MB).toFixed(0)} MB`,
  );
} finally {
  await stack.close();
}
