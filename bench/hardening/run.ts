/**
 * Hardening benchmark: the service under attack as it runs in production (api/main.ts and
 * worker/main.ts as child processes, on the embedded PostgreSQL and Temporal dev server of the
 * fault tests), while another client asks `/healthz` every 100 ms, each time on a new connection
 * (as a load balancer's probe does), from 127.0.0.1. Each attacker has a loopback address of its
 * own (127.0.0.2 and up), so the API's cap per address sees them as the separate clients they
 * would be.
 *
 *   npx tsx bench/hardening/run.ts                           a few minutes
 *   HARDENING_PHASES=slow-sockets,slow-verify npx tsx bench/hardening/run.ts
 *   HTTP_MAX_CONNECTIONS_PER_ADDRESS=0 npx tsx bench/hardening/run.ts   the API's HTTP_* and
 *                                                            VERIFY_* settings are passed on
 *
 * Phases (HARDENING_PHASES picks some, by these names):
 *   bomb-verify     the double-deflate bomb of issue 12 to `/api/verify`, HARDENING_BOMBS times
 *   1gb-bodies      a 1 GB chunked body to `/tsa` and to `/api/verify` (streamed until the 413)
 *   flood           1,000 requests a second from one address for HARDENING_FLOOD_SECONDS
 *   form            a form of HARDENING_FORM_FIELDS (450,000) fields without login, POSTed to
 *                   the sender portal's job creation (issue 23)
 *   slow-sockets    1,100 sockets trickling header lines from one address, each reopened when
 *                   closed, for HARDENING_SLOW_SECONDS (issue 23)
 *   slow-verify     five uploads of a byte a second to `/api/verify` while another client
 *                   verifies a sealed PDF every second (issue 23)
 *   bomb-job        a 1 MB and a 3 MB deflate bomb (a valid PDF whose page content inflates to
 *                   about 1 and 3 GiB) as a job document through the JSON API, then signed, and
 *                   the seal awaited for up to HARDENING_SEAL_SECONDS (issue 23)
 * Reported per phase: what the attack got back (status codes), `/healthz` latency (p50, p99, max)
 * and failures, and the peak resident memory of the API and of the worker (threads included).
 * Target: health within 1 s, each process under 1 GB. A process past HARDENING_RSS_CEILING_MB
 * (default 3,000) is killed, reported, and started again, so a bomb that is not refused cannot
 * take the machine with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signerIdsOf } from '../../src/db/job-reads.js';
import { MAX_DOCUMENT_BYTES, workflowIdForJob } from '../../src/job/model.js';
import { createSigningContext } from '../../src/signatures/context.js';
import { addSealSignature } from '../../src/signing/pdf/signatures.js';
import { simplePdf } from '../../test/fixtures/signing/pdfs.js';
import { floodFromChild, slowSocketsFromChild } from '../../test/hardening/flood-process.js';
import {
  processMemory,
  slowUpload,
  streamUntilAnswered,
  watchHealth,
} from '../../test/hardening/hostile-client.js';
import {
  deflatedZeros,
  doubleDeflateBomb,
  pdfOf,
  streamObject,
} from '../../test/hardening/hostile-documents.js';
import { API_KEY, type Api, ORG, startFaultStack } from '../../test/helpers/faults/fault-stack.js';
import type { ServiceProcess } from '../../test/helpers/processes.js';
import { createForm } from '../../test/helpers/requests.js';

const BOMBS = Number(process.env.HARDENING_BOMBS ?? 50);
const FLOOD_SECONDS = Number(process.env.HARDENING_FLOOD_SECONDS ?? 5);
const FORM_FIELDS = Number(process.env.HARDENING_FORM_FIELDS ?? 450_000);
const SLOW_SECONDS = Number(process.env.HARDENING_SLOW_SECONDS ?? 15);
const SEAL_SECONDS = Number(process.env.HARDENING_SEAL_SECONDS ?? 90);
const CEILING = Number(process.env.HARDENING_RSS_CEILING_MB ?? 3000) * 1024 * 1024;
const PHASES = new Set(
  (process.env.HARDENING_PHASES ?? 'bomb-verify,1gb-bodies,flood,form,slow-sockets,slow-verify,bomb-job')
    .split(',')
    .map((p) => p.trim()),
);
const MB = 1024 * 1024;
const GiB = 1024 * MB;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
/** How many of each answer: `3 × 408, 1 × 200`. */
const tally = (answers: (string | number)[]) => {
  const n = new Map<string, number>();
  for (const a of answers) n.set(String(a), (n.get(String(a)) ?? 0) + 1);
  return [...n].map(([a, k]) => `${k} × ${a}`).join(', ');
};

// The API's limits as this run's environment sets them (HTTP_*, VERIFY_*), to compare settings.
const apiEnv = {
  LOG_LEVEL: 'warn',
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => /^(HTTP|VERIFY)_/.test(e[0]) && e[1] !== undefined,
    ),
  ),
};
const stack = await startFaultStack({ keepMail: false });
let api: Api = await stack.startApi(undefined, apiEnv);
const apiPort = Number(new URL(api.url).port);
let worker: ServiceProcess = await stack.startWorker({ LOG_LEVEL: 'warn' });

const alive = (p: ServiceProcess) => p.child.exitCode === null && p.child.signalCode === null;

/** A process killed by the ceiling (or dead otherwise) is started again before the next phase. */
async function restartIfDown() {
  if (!alive(api.process)) {
    console.log('  (API process down: starting it again)');
    api = await stack.startApi(apiPort, apiEnv);
  }
  if (!alive(worker)) {
    console.log('  (worker process down: starting it again)');
    worker = await stack.startWorker({ LOG_LEVEL: 'warn' });
  }
}

/** Peak RSS of a process over a phase, killing it past the ceiling. */
function memoryWatch(p: ServiceProcess) {
  let peak = 0;
  let killedAt: number | undefined;
  let running = true;
  const loop = (async () => {
    while (running && alive(p)) {
      const rss = await processMemory(p.child.pid!)
        .then((m) => m.rss)
        .catch(() => 0);
      peak = Math.max(peak, rss);
      if (rss > CEILING && killedAt === undefined) {
        killedAt = rss;
        await p.kill();
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return `${mb(peak)}${killedAt ? ` (KILLED at ${mb(killedAt)})` : alive(p) ? '' : ' (died)'}`;
    },
    killed: () => killedAt !== undefined || !alive(p),
  };
}

type Watches = { worker: ReturnType<typeof memoryWatch> };

/** Runs a phase while timing /healthz and sampling the API's and the worker's resident memory. */
async function phase(name: string, attack: (w: Watches) => Promise<string>) {
  await restartIfDown();
  const health = watchHealth(api.url, 100, { freshConnections: true, localAddress: '127.0.0.1' });
  const apiMemory = memoryWatch(api.process);
  const workerMemory = memoryWatch(worker);
  const started = Date.now();
  let outcome: string;
  try {
    outcome = await attack({ worker: workerMemory });
  } catch (err) {
    outcome = `attack failed: ${(err as Error).message}`;
  }
  const seconds = (Date.now() - started) / 1000;
  const [apiPeak, workerPeak] = [await apiMemory.stop(), await workerMemory.stop()];
  const h = await health.stop();
  const sorted = [...h.samples].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `${name.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s  health p50 ${p50.toFixed(0).padStart(5)} ms` +
      `  p99 ${h.p99Ms.toFixed(0).padStart(5)} ms  max ${h.maxMs.toFixed(0).padStart(5)} ms` +
      `  failed ${h.failures}/${h.samples.length}  API ${apiPeak}  worker ${workerPeak}\n    → ${outcome}`,
  );
}

async function verify(body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}/api/verify`, { method: 'POST', body: new Uint8Array(body), headers });
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string } };
  return `${res.status} ${json.error?.code ?? ''}`.trim();
}

/** A valid one-page PDF whose page content is `zeros` NUL bytes (PDF whitespace), deflated once. */
async function contentBomb(zeros: number): Promise<Buffer> {
  return pdfOf({
    1: '<< /Type /Catalog /Pages 2 0 R >>',
    2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>',
    4: streamObject('/Filter /FlateDecode', await deflatedZeros(zeros)),
  });
}

/** Creates a job with `pdf` through the JSON API, signs it, and awaits the seal; says how each went. */
async function jobThroughJsonApi(pdf: Uint8Array, w: Watches): Promise<string> {
  const job = {
    title: 'Hardening benchmark',
    documents: [{ title: 'Bomb', fileName: 'bomb.pdf', mimeType: 'application/pdf' }],
    signers: [{ email: 'bench@example.com', order: 0 }],
  };
  const created = await fetch(`${api.url}/api/${ORG}/portal/signature-jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}` },
    body: createForm(job, { 'bomb.pdf': pdf }),
  });
  const createdBody = (await created.json().catch(() => ({}))) as { id?: string; error?: { code: string } };
  const steps = [`create ${created.status} ${createdBody.error?.code ?? ''}`.trim()];
  if (created.status !== 201 || !createdBody.id) return steps.join('; ');
  const jobId = createdBody.id;
  try {
    return await signAndSeal(jobId, steps, w);
  } finally {
    // A bomb that was not sealed would be retried by the next worker, in the next phase.
    await stack.temporal.workflow
      .getHandle(workflowIdForJob(jobId))
      .terminate('hardening benchmark: phase over')
      .catch(() => {});
  }
}

async function signAndSeal(jobId: string, steps: string[], w: Watches): Promise<string> {
  const [signerId] = await signerIdsOf(stack.db, jobId);
  // The signer can sign once the job is activated (its first step in the worker).
  let signed: Response | undefined;
  const signDeadline = Date.now() + 60_000;
  while (Date.now() < signDeadline && !w.worker.killed()) {
    signed = await fetch(`${api.url}/api/dev/signature-jobs/${jobId}/signers/${signerId}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authenticationLevel: 3 }),
    });
    if (signed.status === 200) break;
    await sleep(500);
  }
  steps.push(`sign ${signed?.status ?? 'never tried'}`);
  if (signed?.status !== 200) return steps.join('; ');
  const signedAt = Date.now();
  for (;;) {
    const pades = await stack.db
      .selectFrom('artifacts')
      .select('id')
      .where('job_id', '=', jobId)
      .where('kind', '=', 'PADES')
      .executeTakeFirst();
    const status = (
      await stack.db.selectFrom('signature_jobs').select('status').where('id', '=', jobId).executeTakeFirst()
    )?.status;
    if (pades) {
      steps.push(`sealed in ${((Date.now() - signedAt) / 1000).toFixed(1)} s (job ${status})`);
      break;
    }
    if (w.worker.killed()) {
      steps.push(`worker killed while sealing (job ${status})`);
      break;
    }
    if (Date.now() - signedAt > SEAL_SECONDS * 1000) {
      steps.push(`not sealed within ${SEAL_SECONDS} s (job ${status})`);
      break;
    }
    await sleep(250);
  }
  return steps.join('; ');
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
  console.log(`warm-up /api/verify of a sealed PDF: ${await verify(sealed)}`);
  const [apiIdle, workerIdle] = await Promise.all([
    processMemory(api.process.child.pid!),
    processMemory(worker.child.pid!),
  ]);
  console.log(`resident memory before the attacks: API ${mb(apiIdle.rss)}, worker ${mb(workerIdle.rss)}\n`);

  await phase('idle (baseline), 3 s', async () => {
    await sleep(3000);
    return 'nothing sent';
  });

  if (PHASES.has('bomb-verify')) {
    const bomb = await doubleDeflateBomb();
    await phase(`double-deflate bomb × ${BOMBS} (${bomb.length} B)`, async () => {
      const answers: string[] = [];
      for (let i = 0; i < BOMBS; i++) answers.push(await verify(bomb));
      return tally(answers);
    });
  }

  if (PHASES.has('1gb-bodies')) {
    for (const [path, headers] of [
      ['/tsa', { 'content-type': 'application/timestamp-query' }],
      ['/api/verify', { 'content-type': 'application/pdf' }],
    ] as const) {
      await phase(`1 GB chunked body to ${path}`, async () => {
        const r = await streamUntilAnswered(`${api.url}${path}`, { headers });
        return `${r.status} after ${mb(r.sentBytes)} sent, ${r.ms} ms`;
      });
    }
  }

  if (PHASES.has('flood')) {
    // Both floods from one address of their own, as one client would send them.
    const each = {
      perSecond: 500,
      seconds: FLOOD_SECONDS,
      method: 'POST',
      headers: {},
      localAddress: '127.0.0.4',
    };
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
  }

  if (PHASES.has('form')) {
    const form = Array.from({ length: FORM_FIELDS }, (_, i) => `f${i}=x`).join('&');
    await phase(`form of ${FORM_FIELDS.toLocaleString('en')} fields, no login`, async () => {
      const started = Date.now();
      const res = await fetch(`${api.url}/sender/${ORG}/jobs`, {
        method: 'POST',
        // The service's own origin, as any client other than a browser may claim it.
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: api.url },
        body: form,
        signal: AbortSignal.timeout(120_000),
      }).catch((e: Error) => ({ status: `failed (${e.name})` }) as const);
      return `${res.status} after ${Date.now() - started} ms (${mb(form.length)} body)`;
    });
  }

  if (PHASES.has('slow-sockets')) {
    const attack = await slowSocketsFromChild({
      port: apiPort,
      count: 1100,
      localAddress: '127.0.0.2',
      seconds: SLOW_SECONDS,
      lineEveryMs: 1000,
      reopenAfterMs: 1000,
    });
    await phase(`1,100 slow sockets from one address × ${SLOW_SECONDS} s`, async () => {
      // Meanwhile another client's page, once a second: served, or refused like the probe?
      const pages: (number | string)[] = [];
      const attacking = attack.go();
      const deadline = Date.now() + SLOW_SECONDS * 1000 - 1000;
      while (Date.now() < deadline) {
        pages.push(
          await fetch(`${api.url}/openapi.json`, { signal: AbortSignal.timeout(5000) }).then(
            (r) => r.status,
            () => 'failed',
          ),
        );
        await sleep(1000);
      }
      const { connections } = await attacking;
      return `${connections.toLocaleString('en')} connections opened by the attacker; another client's GET /openapi.json: ${tally(pages)}`;
    });
  }

  if (PHASES.has('slow-verify')) {
    await phase('5 uploads of 1 byte/s to /api/verify', async () => {
      const slow = Array.from({ length: 5 }, () =>
        slowUpload(`${api.url}/api/verify`, {
          bytesPerSecond: 1,
          totalBytes: 100_000,
          headers: { 'content-type': 'application/pdf' },
          localAddress: '127.0.0.3',
          maxMs: 70_000,
        }),
      );
      let settled = 0;
      for (const s of slow) void s.then(() => settled++);
      // Another client verifies a sealed PDF every second while they send.
      const others: string[] = [];
      await sleep(1000);
      do {
        others.push(await verify(sealed));
        await sleep(1000);
      } while (settled < slow.length);
      const cut = await Promise.all(slow);
      const code = (r: (typeof cut)[number]) => {
        const c = /"code":"(\w+)"/.exec(r.body)?.[1];
        return r.status === 0 ? 'no answer' : `${r.status}${c ? ` ${c}` : ''}`;
      };
      return `slow uploads: ${tally(cut.map(code))} after ${cut.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s; the other client's verifications meanwhile: ${tally(others)}`;
    });
  }

  if (PHASES.has('bomb-job')) {
    // Deflate packs zeros about 1,000:1: a 1 MB bomb inflates to 1 GiB, the largest a document
    // may be (MAX_DOCUMENT_BYTES) to about 3 GiB.
    const oneMb = await contentBomb(GiB);
    const sample = await deflatedZeros(64 * MB);
    const ratio = (64 * MB) / sample.length;
    const zerosFor3Mb = Math.min(3 * GiB, Math.floor(((MAX_DOCUMENT_BYTES - 4096) * ratio) / MB) * MB);
    const threeMb = await contentBomb(zerosFor3Mb);
    for (const [bomb, zeros] of [
      [oneMb, GiB],
      [threeMb, zerosFor3Mb],
    ] as const) {
      await phase(
        `deflate bomb ${(bomb.length / MB).toFixed(2)} MB → ${(zeros / GiB).toFixed(2)} GiB, JSON API`,
        (w) => jobThroughJsonApi(bomb, w),
      );
    }
  }

  await restartIfDown();
  const [apiEnd, workerEnd] = await Promise.all([
    processMemory(api.process.child.pid!),
    processMemory(worker.child.pid!),
  ]);
  console.log(
    `\nat the end: API resident ${mb(apiEnd.rss)} (peak of this process ${mb(apiEnd.peak)}), worker ${mb(workerEnd.rss)} (peak ${mb(workerEnd.peak)})`,
  );
} finally {
  await stack.close();
}
