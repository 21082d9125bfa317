/**
 * Soak benchmark: many portal jobs left open on their timers, then some of them signed.
 *
 *   npx tsx bench/soak/run.ts                          10,000 jobs, 1,000 signed (about 20 min)
 *   SOAK_JOBS=500 SOAK_SIGNED=50 npx tsx bench/soak/run.ts   a quick look
 *
 * The service runs as in production, one worker process and one API process (their entry points,
 * as child processes), on the embedded defaults of `npm run dev`: PostgreSQL (embedded) and the
 * Temporal dev server on its SQLite file. Each job has a 1 MB PDF and 3 signers addressed by
 * e-mail (their activation notices go to a local SMTP server). Reported:
 *   - creation rate through the API (rate limit off, SOAK_CONCURRENCY parallel senders);
 *   - signing-to-PAdES latency: from the answer to the last signature until the PAdES is stored,
 *     with SOAK_SIGN_LANES jobs being signed at a time (a steady flow, not a queue);
 *   - peak resident memory of the worker and of the API (VmHWM from /proc);
 *   - database bytes per job, in all and beyond the documents' own bytes.
 * Targets on a 2-core machine: worker under 1 GB with 10,000 open jobs, p99 under 5 s, under
 * 50 KB per job beyond the documents.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { scanLikePdf } from '../../test/fixtures/signing/pdfs.js';
import { API_KEY, ORG, startFaultStack } from '../../test/helpers/faults/fault-stack.js';
import type { ServiceProcess } from '../../test/helpers/processes.js';

const JOBS = Number(process.env.SOAK_JOBS ?? 10_000);
const SIGNED = Math.min(JOBS, Number(process.env.SOAK_SIGNED ?? 1_000));
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SIGN_LANES = Number(process.env.SOAK_SIGN_LANES ?? 2);
const SIGNERS = 3;
const DOCUMENT_BYTES = Number(process.env.SOAK_DOCUMENT_BYTES ?? 1024 * 1024);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak resident set of a process so far, in bytes (the kernel's high-water mark). */
async function peakRss(proc: ServiceProcess): Promise<number> {
  const status = await readFile(`/proc/${proc.child.pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

console.log(
  `soak: ${JOBS} jobs (${SIGNERS} signers, ${(DOCUMENT_BYTES / 1024).toFixed(0)} KB PDF), ${SIGNED} of them signed`,
);
const stack = await startFaultStack({ keepMail: false });
try {
  const api = await stack.startApi(undefined, { RATE_LIMIT_PER_SECOND: '0', DATABASE_POOL_SIZE: '20' });
  const worker = await stack.startWorker({ LOG_LEVEL: 'warn' });
  const pdf = await scanLikePdf(4, DOCUMENT_BYTES);
  const dbSize = async () =>
    Number(
      (await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(stack.db)).rows[0]!
        .n,
    );
  const blobBytes = async () =>
    Number(
      (await sql<{ n: string | null }>`select sum(pg_column_size(content)) as n from blobs`.execute(stack.db))
        .rows[0]!.n ?? 0,
    );
  const sizeBefore = await dbSize();
  const blobsBefore = await blobBytes();

  // 1. Creation: CONCURRENCY senders until JOBS jobs exist.
  const jobIds: string[] = [];
  let next = 0;
  let failures = 0;
  const created = Date.now();
  const createOne = async (i: number) => {
    const job = {
      title: `Soak agreement ${i}`,
      documents: [{ title: 'Agreement', fileName: 'agreement.pdf', mimeType: 'application/pdf' }],
      signers: Array.from({ length: SIGNERS }, (_, s) => ({ email: `soak-${i}-${s}@example.com`, order: 0 })),
    };
    const form = new FormData();
    form.append('job', new Blob([JSON.stringify(job)], { type: 'application/json' }));
    form.append('agreement.pdf', new Blob([pdf as BlobPart], { type: 'application/pdf' }), 'agreement.pdf');
    const res = await fetch(`${api.url}/api/${ORG}/portal/signature-jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: form,
    });
    if (res.status !== 201) {
      failures++;
      console.error(`create ${i}: ${res.status} ${await res.text()}`);
      return;
    }
    jobIds[i] = ((await res.json()) as { id: string }).id;
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < JOBS) {
        const i = next++;
        await createOne(i);
        if (i > 0 && i % 1000 === 0)
          console.log(`  ${i} created (${((i * 1000) / (Date.now() - created)).toFixed(1)}/s)`);
      }
    }),
  );
  const createSeconds = (Date.now() - created) / 1000;
  console.log(`created ${JOBS - failures} jobs in ${createSeconds.toFixed(0)} s, ${failures} failed`);

  // The workflows settle on their timers (activation notices sent) before anything is measured.
  const settle = Date.now();
  for (;;) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from notices`.execute(stack.db);
    if (Number(rows[0]!.n) >= (JOBS - failures) * SIGNERS || Date.now() - settle > 15 * 60_000) break;
    await sleep(2000);
  }
  console.log(`activation notices sent after ${((Date.now() - settle) / 1000).toFixed(0)} s more`);
  const workerPeakOpen = await peakRss(worker);
  const sizeAfterCreate = await dbSize();
  const blobsAfterCreate = await blobBytes();

  // 2. Signing: SIGN_LANES jobs at a time, each signed by its 3 signers, then its PAdES awaited.
  const latencies: number[] = [];
  let signIndex = 0;
  const signedIds = jobIds.filter(Boolean).slice(0, SIGNED);
  const signJob = async (jobId: string) => {
    const signers = await stack.db
      .selectFrom('signers')
      .select('id')
      .where('job_id', '=', jobId)
      .orderBy('position')
      .execute();
    for (const s of signers) {
      const res = await fetch(`${api.url}/api/dev/signature-jobs/${jobId}/signers/${s.id}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authenticationLevel: 3 }),
      });
      if (res.status !== 200) throw new Error(`sign ${jobId}: ${res.status} ${await res.text()}`);
    }
    const signedAt = Date.now();
    for (;;) {
      const row = await stack.db
        .selectFrom('artifacts')
        .select('id')
        .where('job_id', '=', jobId)
        .where('kind', '=', 'PADES')
        .executeTakeFirst();
      if (row) break;
      await sleep(25);
    }
    latencies.push(Date.now() - signedAt);
  };
  const signStart = Date.now();
  await Promise.all(
    Array.from({ length: SIGN_LANES }, async () => {
      while (signIndex < signedIds.length) {
        const jobId = signedIds[signIndex++]!;
        await signJob(jobId);
        if (latencies.length % 100 === 0) console.log(`  ${latencies.length} signed`);
      }
    }),
  );
  const signSeconds = (Date.now() - signStart) / 1000;

  const sorted = [...latencies].sort((a, b) => a - b);
  const perJob = (sizeAfterCreate - sizeBefore) / JOBS;
  const blobsPerJob = (blobsAfterCreate - blobsBefore) / JOBS;
  console.log(`
soak results (${JOBS} jobs, ${signedIds.length} signed)
  creation rate                 ${(JOBS / createSeconds).toFixed(1)} jobs/s (concurrency ${CONCURRENCY})
  signing-to-PAdES latency      p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms (${SIGN_LANES} lanes, ${signSeconds.toFixed(0)} s)
  worker peak memory            ${mb(workerPeakOpen)} with ${JOBS} open jobs, ${mb(await peakRss(worker))} at the end
  API peak memory               ${mb(await peakRss(api.process))}
  database per job              ${(perJob / 1024).toFixed(1)} KB in all, ${((perJob - blobsPerJob) / 1024).toFixed(1)} KB beyond the document bytes
`);
} finally {
  await stack.close();
}
