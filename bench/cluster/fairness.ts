/**
 * Two senders on the production shape (src/dev/cluster.ts: the real Temporal server on
 * PostgreSQL, two APIs behind the proxy, two workers), docs/scaling.md:
 *
 *  1. API create against the bare start every create makes (the same workflow, input, search
 *     attributes and priority, to a queue no worker polls), same concurrency, same cluster, before
 *     the burst: first with the workers paused (SIGSTOP), so both measure the call alone, then
 *     the API create again with the workers running the jobs it makes;
 *  2. sender B creates and signs on an idle cluster (its baseline);
 *  3. sender A creates BENCH_A_JOBS jobs at BENCH_A_RATE a second (0: as fast as it can, its limit
 *     lifted), the rate its limit allows: the operator raised the limit to 1.5 times that, and A
 *     waits as a 429's Retry-After tells it; B keeps the default limit and creates and signs one job at a
 *     time: B's create latency, create-to-activation and signing-to-PAdES; A's throughput, and
 *     how long A's activations take to drain; where B's signing time went, step by step from each
 *     job's history (./signing-steps.ts), alone and during the burst; and a bare start between
 *     B's jobs (alone and during the burst), the part of B's create the Temporal server takes;
 *  4. optionally (BENCH_OPEN_JOBS above what is open) more of A's jobs until that many are open,
 *     then reads of B's jobs and the database bytes per job;
 *  5. memory (resident) of the workers, the Temporal server and the APIs; the workers' again after
 *     BENCH_REST_SECONDS (75) without work, once their signing threads have ended.
 *
 *   npm run build && nice scripts/with-node.sh npx tsx bench/cluster/fairness.ts
 *   TASK_FAIRNESS=off ... the same without fairness and priority (server and starts)
 *   BENCH_WORKER_SLOTS=sdk ... the workers with the SDK's slots (40 workflow tasks, 100
 *     activities) and 10 s sticky timeout instead of the service's defaults (worker/worker.ts);
 *     WORKER_MAX_CONCURRENT_ACTIVITIES, _WORKFLOW_TASKS and WORKER_STICKY_TIMEOUT_MS pass through
 *   BENCH_WORKER1_ENV, BENCH_WORKER2_ENV ("NAME=value,NAME=value"): one worker's own settings, to
 *     compare two side by side in one run (e.g. BENCH_WORKER2_ENV=MALLOC_ARENA_MAX=2)
 *   (BENCH_A_JOBS 2000, BENCH_A_RATE 20, BENCH_CONCURRENCY 16, BENCH_OPEN_JOBS 0,
 *    BENCH_IDLE_SIGNED 100, BENCH_WORKER_CACHE the workers' default, 200)
 *
 * Load generator, cluster and everything else share the machine: compare the two switches run on
 * the same machine, not absolute figures.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { WORKER_CACHED_WORKFLOWS_DEFAULT } from '../../src/config.js';
import { setSenderRateLimit } from '../../src/db/sender-rate-limits.js';
import { type ClusterPorts, freeLowPorts, startCluster } from '../../src/dev/cluster.js';
import { workflowIdForJob } from '../../src/job/model.js';
import { parseJobRequest } from '../../src/job/schema.js';
import { createApiKey } from '../../src/services/api-keys.js';
import { startWorkflow, workflowInputFor } from '../../src/services/create-job.js';
import { fairnessEnabled } from '../../src/services/fairness.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { scanLikePdf } from '../../test/fixtures/signing/pdfs.js';
import { startFaultSmtp } from '../../test/helpers/faults/smtp.js';
import { freePort } from '../../test/helpers/ports.js';
import { type LoadResult, runLoad } from '../api/load.js';
import { cpuMsPerOperation, cpuSecondsByGroup, formatCpu, type ProcessGroups } from '../support/cpu.js';
import { type SigningSteps, signingSteps } from './signing-steps.js';

const A_JOBS = Number(process.env.BENCH_A_JOBS ?? 2000);
const A_RATE = Number(process.env.BENCH_A_RATE ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const OPEN_JOBS = Number(process.env.BENCH_OPEN_JOBS ?? 0);
const WORKER_CACHE = process.env.BENCH_WORKER_CACHE ?? String(WORKER_CACHED_WORKFLOWS_DEFAULT);
const SDK_SLOTS = process.env.BENCH_WORKER_SLOTS === 'sdk';
/** Each worker's own settings (BENCH_WORKER1_ENV, BENCH_WORKER2_ENV: "NAME=value,NAME=value"). */
const WORKER_ENVS = [1, 2].map((n) =>
  Object.fromEntries(
    (process.env[`BENCH_WORKER${n}_ENV`] ?? '')
      .split(',')
      .map((pair) => [pair, pair.indexOf('=')] as const)
      .filter(([, at]) => at > 0)
      .map(([pair, at]) => [pair.slice(0, at), pair.slice(at + 1)]),
  ),
);
/** Seconds without work before the workers' memory is read again (BENCH_REST_SECONDS). */
const REST_SECONDS = Number(process.env.BENCH_REST_SECONDS ?? 75);
/**
 * B's jobs on the idle cluster (BENCH_IDLE_SIGNED): its baseline. A hundred, so the baseline's p99
 * is the second slowest of a hundred, not the slowest of a few: with ten, one slow create (a
 * collection, a cold path) made the idle p99 and, with it, the ratio of the burst's p99 to it.
 */
const IDLE_SIGNED = Number(process.env.BENCH_IDLE_SIGNED ?? 100);
/** A's jobs waiting for activation from which B's samples count as "under A's backlog". */
const BACKLOG = 100;
const ORG_A = '987654325';
const KEY_A = 'fairness-bench-sender-a';
const ORG_B = '974760673';

const ports = async (): Promise<ClusterPorts> => {
  const n = (count: number) => Promise.all(Array.from({ length: count }, () => freePort()));
  const [proxy, temporal, ui, postgres, smtp] = (await n(5)) as [number, number, number, number, number];
  const w = await n(4);
  return {
    proxy,
    temporal,
    ui,
    postgres,
    smtp,
    oidc: await freePort(),
    temporalInternal: await freeLowPorts(8),
    apis: await n(2),
    workers: [
      { metrics: w[0]!, sdkMetrics: w[1]! },
      { metrics: w[2]!, sdkMetrics: w[3]! },
    ],
  };
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const stats = (name: string, values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const ms = (v: number | undefined) => `${(v ?? Number.NaN).toFixed(0).padStart(6)} ms`;
  return `${name.padEnd(34)} n ${String(s.length).padStart(4)}  p50 ${ms(percentile(s, 50))}  p99 ${ms(percentile(s, 99))}  max ${ms(s.at(-1))}`;
};
const row = (name: string, r: LoadResult) =>
  `${name.padEnd(34)} ${r.perSecond.toFixed(1).padStart(7)}/s  p50 ${r.p50Ms.toFixed(0).padStart(5)} ms  p99 ${r.p99Ms.toFixed(0).padStart(5)} ms  done ${r.completed}  failed ${r.failed}`;
/** A 429: the sender's rate limit, with the seconds its Retry-After asks it to wait. */
class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`429, retry after ${retryAfterSeconds} s`);
  }
}
/** One of B's signatures: its job, and when the sign request was sent (epoch ms). */
interface SignedJob {
  jobId: string;
  requestedAtMs: number;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory from /proc: all, its peak, the anonymous part (heaps, malloc) and threads. */
async function residentMb(
  pid: number,
): Promise<{ rss: number; peak: number; anon: number; threads: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return {
    rss: kb('VmRSS') / 1024,
    peak: kb('VmHWM') / 1024,
    anon: kb('RssAnon') / 1024,
    threads: kb('Threads'),
  };
}

const loadAverage = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
/** The SDK's counters (failed tasks and activities among them) and latency sums of the workers (their /metrics), summed over both. */
async function workerSdkMetrics(urls: string[]): Promise<Map<string, number>> {
  const wanted =
    /^temporal_(sticky_cache_(hit|miss)\w*|workflow_task_replay_latency\w*_(sum|count)|workflow_task_schedule_to_start_latency\w*_(sum|count)|activity_schedule_to_start_latency\w*_(sum|count)|workflow_task_execution_failed\w*|(?:local_)?activity_execution_failed\w*)(?:\{[^}]*\})? (\S+)$/;
  const sums = new Map<string, number>();
  for (const url of urls) {
    const text = await fetch(url).then(
      (r) => r.text(),
      () => '',
    );
    // The whole scrape, buckets included, for a closer look (BENCH_SDK_METRICS=<file prefix>).
    if (process.env.BENCH_SDK_METRICS)
      await writeFile(`${process.env.BENCH_SDK_METRICS}-${urls.indexOf(url) + 1}.txt`, text);
    for (const line of text.split('\n')) {
      const m = wanted.exec(line);
      if (!m) continue;
      const name = line.slice(0, line.search(/[{ ]/));
      sums.set(name, (sums.get(name) ?? 0) + Number(m.at(-1)));
    }
  }
  return sums;
}

const fairness = fairnessEnabled();
const dir = await mkdtemp(join(tmpdir(), 'esign-fairness-bench-'));
await chmod(dir, 0o755);
const smtp = await startFaultSmtp(await freePort(), { keep: false });
console.log(
  `fairness and priority ${fairness ? 'ON' : 'OFF (TASK_FAIRNESS=off)'}; worker slots ${SDK_SLOTS ? "the SDK's (BENCH_WORKER_SLOTS=sdk)" : "the service's defaults"}; sender A ${A_JOBS} jobs at concurrency ${CONCURRENCY}; load average ${await loadAverage()}`,
);
const clusterPorts = await ports();
const cluster = await startCluster({
  dataDir: dir,
  ports: clusterPorts,
  smtpUrl: smtp.url,
  devSender: { org: ORG_A, apiKey: KEY_A },
  appEnv: { LOG_LEVEL: 'warn', TASK_FAIRNESS: fairness ? 'on' : 'off' },
  workerEnvs: WORKER_ENVS,
  workerEnv: {
    WORKER_MAX_CACHED_WORKFLOWS: WORKER_CACHE,
    ...(SDK_SLOTS
      ? {
          WORKER_MAX_CONCURRENT_ACTIVITIES: '100',
          WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40',
          WORKER_STICKY_TIMEOUT_MS: '10000',
        }
      : {}),
    // Slots, sticky timeout, signing threads and the C allocator's arenas set in the benchmark's
    // environment reach the workers.
    ...Object.fromEntries(
      [
        'WORKER_MAX_CONCURRENT_ACTIVITIES',
        'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
        'WORKER_STICKY_TIMEOUT_MS',
        'SIGNING_THREADS',
        'MALLOC_ARENA_MAX',
      ].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
    ),
  },
  say: (line) => console.log(`  ${line}`),
});
const connection = await Connection.connect({ address: cluster.temporalAddress });
const temporal = new Client({ connection, namespace: cluster.namespace });
const { db } = cluster;

try {
  await upsertOrganisation(db, { orgNumber: ORG_B, name: 'Sender B', sector: 'PUBLIC' });
  // Phase 1 measures the create itself, so A is unlimited there; its burst gets BENCH_A_RATE.
  await setSenderRateLimit(db, ORG_A, 0);
  const { key: KEY_B } = await createApiKey(db, ORG_B, 'fairness bench');
  const bigPdf = await scanLikePdf(1, 100 * 1024);
  const smallPdf = await scanLikePdf(1, 4 * 1024);
  let n = 0;
  /** Creates a portal job for one signer by e-mail; its id, or undefined when refused. */
  const create = async (org: string, key: string, pdf: Uint8Array): Promise<string | undefined> => {
    const form = new FormData();
    const job = {
      title: `Benchmark contract ${++n}`,
      documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
      signers: [{ email: `signer-${n}@example.com`, order: 0 }],
    };
    form.append('job', new Blob([JSON.stringify(job)], { type: 'application/json' }));
    form.append('contract.pdf', new Blob([pdf as BlobPart], { type: 'application/pdf' }), 'contract.pdf');
    const res = await fetch(`${cluster.proxyUrl}/api/${org}/portal/signature-jobs`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${key}` },
    });
    const body = await res.text();
    if (res.status === 429) throw new RateLimited(Number(res.headers.get('retry-after') ?? 1));
    return res.status === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
  };
  // The start every create makes, alone, to a queue no worker polls: the floor any create pays.
  const startDeps = { db, temporal, taskQueue: `bench-idle-${randomUUID()}` };
  const parsed = parseJobRequest(
    'portal',
    {
      title: 'Benchmark contract',
      documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
      signers: [{ email: 'signer@example.com', order: 0 }],
    },
    { sector: 'PUBLIC' },
    new Date(),
  );
  if (!parsed.ok) throw new Error(`the benchmark's job is refused: ${JSON.stringify(parsed.issues)}`);
  const bareStart = async (org = ORG_A) => {
    const jobId = randomUUID();
    const input = workflowInputFor({ id: jobId, org_number: org, flow: 'portal' }, parsed.job, [
      randomUUID(),
    ]);
    await startWorkflow(startDeps, input);
    return true;
  };

  // --- 1. API create beside bare workflow.start ----------------------------------------------------
  console.log(`\n1. API create (100 KB PDF) beside the bare start, 8 s each at concurrency ${CONCURRENCY}`);
  const createA = async () => (await create(ORG_A, KEY_A, bigPdf)) !== undefined;
  // Paused, the workers take no task; what the server handed them before is retried after its
  // timeout, once they run again.
  const signalWorkers = (signal: NodeJS.Signals) => {
    for (const w of cluster.workers) process.kill(w.pid, signal);
  };
  // Where the CPU goes, per process: this process is the load generator and the proxy.
  const groups: ProcessGroups = (pid, command) =>
    pid === process.pid
      ? 'client+proxy'
      : cluster.apis.some((a) => a.pid === pid)
        ? 'APIs'
        : [...cluster.temporal.values()].some((t) => t.pid === pid)
          ? 'Temporal'
          : command === 'postgres'
            ? 'PostgreSQL'
            : undefined;
  signalWorkers('SIGSTOP');
  let api: LoadResult;
  let bare: LoadResult;
  let apiCpu: [string, number][];
  let bareCpu: [string, number][];
  try {
    await runLoad(createA, { seconds: 2, concurrency: 4 });
    const c0 = await cpuSecondsByGroup(groups);
    api = await runLoad(createA, { seconds: 8, concurrency: CONCURRENCY });
    const c1 = await cpuSecondsByGroup(groups);
    bare = await runLoad(() => bareStart(), { seconds: 8, concurrency: CONCURRENCY });
    const c2 = await cpuSecondsByGroup(groups);
    apiCpu = cpuMsPerOperation(c0, c1, api.completed + api.failed);
    bareCpu = cpuMsPerOperation(c1, c2, bare.completed + bare.failed);
  } finally {
    signalWorkers('SIGCONT');
  }
  const resumedAt = performance.now();
  const apiWithWorkers = await runLoad(createA, { seconds: 8, concurrency: CONCURRENCY });
  console.log(row('API create (workers paused)', api));
  console.log(`   ${formatCpu(apiCpu)}`);
  console.log(row('bare start (workers paused)', bare));
  console.log(`   ${formatCpu(bareCpu)}`);
  console.log(row('API create (workers running)', apiWithWorkers));
  console.log(
    `API create as a share of bare starts: ${((api.perSecond / bare.perSecond) * 100).toFixed(0)} % (workers paused), ${((apiWithWorkers.perSecond / bare.perSecond) * 100).toFixed(0)} % (running)`,
  );

  // One of B's jobs: created, waited on until its signer may sign, signed, waited on until the
  // PAdES is stored. Each step's time is kept.
  /** B's samples of one phase: each step's milliseconds, and the jobs signed. */
  const newSample = () => ({
    create: [] as number[],
    activation: [] as number[],
    signing: [] as number[],
    unanswered: [] as number[],
    signed: [] as SignedJob[],
  });
  type Sample = ReturnType<typeof newSample>;
  const signOneOfB = async (into: Sample) => {
    const t0 = performance.now();
    const jobId = await create(ORG_B, KEY_B, smallPdf);
    if (!jobId) throw new Error("sender B's create was refused");
    const created = performance.now();
    into.create.push(created - t0);
    let signerId: string | undefined;
    while (!signerId) {
      const active = await db
        .selectFrom('signature_jobs')
        .innerJoin('signers', 'signers.job_id', 'signature_jobs.id')
        .select('signers.id')
        .where('signature_jobs.id', '=', jobId)
        .where('signature_jobs.active_group', 'is not', null)
        .executeTakeFirst();
      if (active) signerId = active.id;
      else await sleep(50);
    }
    const activated = performance.now();
    into.activation.push(activated - created);
    into.signed.push({ jobId, requestedAtMs: Date.now() });
    // A signature the API gave up waiting for (its request limits) may still be recorded: the
    // update was accepted; the PAdES then tells when it took effect.
    const signed = await fetch(
      `${cluster.proxyUrl}/api/dev/signature-jobs/${jobId}/signers/${signerId}/sign`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authenticationLevel: 3 }),
      },
    ).then(
      async (res) => (res.status === 200 ? 'ok' : `${res.status} ${await res.text()}`),
      (err: Error) => `no answer (${err.message})`,
    );
    if (signed !== 'ok') {
      into.unanswered.push(performance.now() - activated);
      console.log(
        `   B's sign request for ${jobId}: ${signed}, after ${((performance.now() - activated) / 1000).toFixed(0)} s`,
      );
      if (!signed.startsWith('no answer') && !signed.startsWith('5'))
        throw new Error(`signing ${jobId}: ${signed}`);
    }
    for (;;) {
      const pades = await db
        .selectFrom('artifacts')
        .select('id')
        .where('job_id', '=', jobId)
        .where('kind', '=', 'PADES')
        .executeTakeFirst();
      if (pades) break;
      await sleep(20);
    }
    into.signing.push(performance.now() - activated);
  };
  const print = (s: Sample) => {
    console.log(stats("B's create", s.create));
    console.log(stats("B's create to signer active", s.activation));
    console.log(stats("B's signing to PAdES", s.signing));
    if (s.unanswered.length > 0) console.log(stats("B's sign requests left unanswered", s.unanswered));
  };
  /** Where B's signatures spent their time, step by step, from their workflows' histories. */
  const printSteps = async (signed: SignedJob[]) => {
    const steps = (
      await Promise.all(
        signed.map(async ({ jobId, requestedAtMs }) => {
          const history = await temporal.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
          return signingSteps(history.events ?? [], requestedAtMs);
        }),
      )
    ).filter((x) => x !== undefined);
    const step = (name: string, pick: (x: SigningSteps) => number) =>
      console.log(`   ${stats(name, steps.map(pick)).trimEnd()}`);
    step('API, up to the update', (x) => x.api);
    step('workflow tasks waiting', (x) => x.workflowTaskWait);
    step('workflow tasks running', (x) => x.workflowTaskRun);
    step('activities waiting', (x) => x.activityWait);
    step('recording running', (x) => x.recordRun);
    step('packaging running', (x) => x.packageRun);
  };

  // --- 2. B alone -----------------------------------------------------------------------------------
  const notified = async (org: string) =>
    Number(
      (
        await db
          .selectFrom('signature_jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('org_number', '=', org)
          .where('active_group', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const createdBy = async (org: string) =>
    Number(
      (
        await db
          .selectFrom('signature_jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('org_number', '=', org)
          .executeTakeFirstOrThrow()
      ).n,
    );
  // Let phase 1's jobs activate first, so B's baseline is an idle cluster.
  while ((await notified(ORG_A)) < (await createdBy(ORG_A))) await sleep(1000);
  console.log(
    `phase 1's ${await createdBy(ORG_A)} jobs all activated ${((performance.now() - resumedAt) / 1000).toFixed(0)} s after the workers resumed`,
  );
  console.log(`\n2. sender B alone: ${IDLE_SIGNED} jobs created and signed one after another`);
  const idle = newSample();
  const bareAlone: number[] = [];
  for (let i = 0; i < IDLE_SIGNED; i++) {
    await signOneOfB(idle);
    const s0 = performance.now();
    await bareStart(ORG_B);
    bareAlone.push(performance.now() - s0);
  }
  print(idle);
  console.log(stats('a bare start, between them', bareAlone));
  await printSteps(idle.signed);

  // --- 3. A's burst, B steady -----------------------------------------------------------------------
  console.log(
    `\n3. sender A creates ${A_JOBS} jobs (4 KB PDF) ${A_RATE > 0 ? `at ${A_RATE}/s (its limit ${Math.ceil(A_RATE * 1.5)}/s)` : 'unlimited'} while sender B creates and signs`,
  );
  // The operator gives A room above the rate it sends at: requests sent evenly arrive bunched
  // when the API answers slowly, and a second over the limit blocks A for 30 s.
  await setSenderRateLimit(db, ORG_A, Math.ceil(A_RATE * 1.5));
  const aBefore = await createdBy(ORG_A);
  const t0 = performance.now();
  let made = 0;
  let failed = 0;
  let aDone = false;
  // A client that sends at its agreed rate, spaced evenly.
  const spacingMs = A_RATE > 0 ? 1000 / A_RATE : 0;
  let nextCallAt = performance.now();
  const paced = async () => {
    if (spacingMs === 0) return;
    const at = nextCallAt;
    nextCallAt = Math.max(nextCallAt, performance.now()) + spacingMs;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
  };
  let limited = 0;
  const lane = async () => {
    while (made + failed < A_JOBS) {
      await paced();
      made++;
      const id = await create(ORG_A, KEY_A, smallPdf).catch(async (err: unknown) => {
        // Told to wait: A waits as told, and the job is sent again.
        if (err instanceof RateLimited) {
          limited++;
          await sleep(err.retryAfterSeconds * 1000);
          return null;
        }
        return undefined;
      });
      if (id === null) made--;
      else if (id === undefined) {
        made--;
        failed++;
      }
    }
  };
  const burst = Promise.all(Array.from({ length: CONCURRENCY }, lane)).then(() => {
    aDone = true;
  });
  const progress = setInterval(
    async () =>
      console.log(
        `   A: ${made} created, ${failed} failed, ${limited} told to wait (429); B: ${underBacklog.signing.length + afterBacklog.signing.length} signed; load average ${await loadAverage()}`,
      ),
    30_000,
  );
  const underBacklog = newSample();
  const afterBacklog = newSample();
  // B keeps going while A creates and while A's activations are still queued.
  const bareDuringBurst: number[] = [];
  const steady = (async () => {
    for (;;) {
      // A's jobs still waiting for activation when this job of B starts: B's samples under a
      // large backlog are printed apart, since B runs fast (and samples often) once it is gone.
      const waitingOfA = aBefore + made - (await notified(ORG_A));
      const into = waitingOfA >= BACKLOG ? underBacklog : afterBacklog;
      await signOneOfB(into);
      // The bare start B's create makes, timed alone: how much of B's create is the start.
      if (!aDone) {
        const s0 = performance.now();
        await bareStart(ORG_B);
        bareDuringBurst.push(performance.now() - s0);
      }
      if (aDone && (await notified(ORG_A)) >= aBefore + made) break;
      await sleep(250);
    }
  })();
  // Awaited below; a failure there, not an unhandled rejection while A still creates.
  steady.catch(() => {});
  await burst;
  const createSeconds = (performance.now() - t0) / 1000;
  const burstEndedAtMs = Date.now();
  while ((await notified(ORG_A)) < aBefore + made) await sleep(500);
  const aActivatedAt = performance.now();
  await steady;
  clearInterval(progress);
  console.log(
    `A: ${made} created in ${createSeconds.toFixed(0)} s (${(made / createSeconds).toFixed(1)} jobs/s, ${failed} failed, ${limited} told to wait); all activated ${((aActivatedAt - t0) / 1000).toFixed(0)} s after the first`,
  );
  const burstCreates = [...underBacklog.create, ...afterBacklog.create];
  print({
    create: burstCreates,
    activation: [...underBacklog.activation, ...afterBacklog.activation],
    signing: [...underBacklog.signing, ...afterBacklog.signing],
    unanswered: [...underBacklog.unanswered, ...afterBacklog.unanswered],
    signed: [...underBacklog.signed, ...afterBacklog.signed],
  });
  console.log(stats('a bare start, between them', bareDuringBurst));
  const createP99 = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      99,
    );
  console.log(
    `B's create p99 during the burst: ${(createP99(burstCreates) / createP99(idle.create)).toFixed(1)} times its p99 alone (target at most 2)`,
  );
  console.log(`of these, started while at least ${BACKLOG} of A's jobs waited for activation:`);
  print(underBacklog);
  console.log("B's signing to PAdES during the burst, step by step (from the workflows' histories):");
  await printSteps(
    [...underBacklog.signed, ...afterBacklog.signed].filter((x) => x.requestedAtMs <= burstEndedAtMs),
  );

  // --- 4. many open jobs (BENCH_OPEN_JOBS) ----------------------------------------------------------
  const open = async () =>
    Number(
      (
        await db
          .selectFrom('signature_jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'IN_PROGRESS')
          .executeTakeFirstOrThrow()
      ).n,
    );
  const more = Math.max(0, OPEN_JOBS - (await open()));
  if (more > 0) {
    console.log(`\n4. ${more} more of A's jobs until ${OPEN_JOBS} are open (A's limit lifted)`);
    await setSenderRateLimit(db, ORG_A, 0);
    let extra = 0;
    const t1 = performance.now();
    // Each minute: how far, and the workers' resident memory, so its growth with the open jobs shows.
    const tick = setInterval(async () => {
      const rss = await Promise.all(cluster.workers.map(async (w) => (await residentMb(w.pid)).rss));
      console.log(
        `   ${extra} of ${more}; workers ${rss.map((mb) => mb.toFixed(0)).join(' and ')} MB resident`,
      );
    }, 60_000);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (extra < more) {
          extra++;
          if ((await create(ORG_A, KEY_A, smallPdf).catch(() => undefined)) === undefined) extra--;
        }
      }),
    );
    clearInterval(tick);
    console.log(`   created in ${((performance.now() - t1) / 1000).toFixed(0)} s`);
    while ((await notified(ORG_A)) < (await createdBy(ORG_A))) await sleep(2000);
  }
  const openNow = await open();
  const bytes = Number(
    (await sql<{ b: string }>`select pg_database_size(current_database()) as b`.execute(db)).rows[0]!.b,
  );
  const temporalBytes = Number(
    (
      await sql<{
        b: string;
      }>`select sum(pg_database_size(datname)) as b from pg_database where datname like 'temporal%'`.execute(
        db,
      )
    ).rows[0]!.b,
  );
  console.log(
    `\n${openNow} open jobs; application database ${(bytes / 2 ** 20).toFixed(0)} MB, Temporal's ${(temporalBytes / 2 ** 20).toFixed(0)} MB (${((bytes + temporalBytes) / openNow / 1024).toFixed(1)} KB per open job, both)`,
  );
  // The reads measure the database and the API, not B's rate limit: lifted for them.
  await setSenderRateLimit(db, ORG_B, 0);
  const reads: number[] = [];
  const someJobs = await db
    .selectFrom('signature_jobs')
    .select('id')
    .where('org_number', '=', ORG_B)
    .execute();
  for (let i = 0; i < 200; i++) {
    const id = someJobs[i % someJobs.length]!.id;
    const r0 = performance.now();
    const res = await fetch(`${cluster.proxyUrl}/api/${ORG_B}/portal/signature-jobs/${id}`, {
      headers: { authorization: `Bearer ${KEY_B}` },
    });
    await res.arrayBuffer();
    if (res.status === 200) reads.push(performance.now() - r0);
  }
  console.log(stats("B's job read (GET)", reads));

  // --- 5. memory ------------------------------------------------------------------------------------
  const workerMemory = async (when: string) => {
    // Each worker's CPU so far: both take from one queue, so two settings compare on their cost too.
    const cpu = await cpuSecondsByGroup((pid) => {
      const i = cluster.workers.findIndex((w) => w.pid === pid);
      return i < 0 ? undefined : String(i);
    });
    for (const [i, w] of cluster.workers.entries()) {
      const m = await residentMb(w.pid);
      const own = Object.entries(WORKER_ENVS[i] ?? {}).map(([k, v]) => `, ${k}=${v}`);
      // The main thread's V8 heap and the memory its objects hold outside it (Buffers), from the
      // worker's own metrics: the rest of the resident memory is the workflow thread, the signing
      // threads, the SDK's core and what the allocator keeps.
      const metrics = await fetch(`http://127.0.0.1:${clusterPorts.workers[i]!.metrics}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      const mb = (name: string) =>
        Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN) /
        2 ** 20;
      // The young generation grows to V8's maximum under allocation and keeps it (docs/scaling.md).
      const young = mb('esign_nodejs_heap_space_size_total_bytes\\{space="new"\\}');
      console.log(
        `worker ${i + 1} ${when}: ${m.rss.toFixed(0)} MB resident (${m.anon.toFixed(0)} anonymous, ${m.threads} threads), peak ${m.peak.toFixed(0)} MB (cache ${WORKER_CACHE}${own.join('')}); main thread heap ${mb('esign_nodejs_heap_size_total_bytes').toFixed(0)} MB (${mb('esign_nodejs_heap_size_used_bytes').toFixed(0)} used, young generation ${young.toFixed(0)}), external ${mb('esign_nodejs_external_memory_bytes').toFixed(0)} MB; ${(cpu.get(String(i)) ?? 0).toFixed(0)} s CPU so far`,
      );
    }
  };
  await workerMemory('at the end');
  // Signing threads end after a minute without work (src/signatures/signing-pool.ts): what a
  // worker holds for its open jobs alone shows once they have.
  if (REST_SECONDS > 0) {
    await sleep(REST_SECONDS * 1000);
    await workerMemory(`${REST_SECONDS} s later, at rest`);
  }
  for (const [name, p] of cluster.temporal) {
    const m = await residentMb(p.pid);
    console.log(`Temporal server (${name}): ${m.rss.toFixed(0)} MB resident, peak ${m.peak.toFixed(0)} MB`);
  }
  for (const [i, a] of cluster.apis.entries()) {
    const m = await residentMb(a.pid);
    console.log(`API ${i + 1}: ${m.rss.toFixed(0)} MB resident, peak ${m.peak.toFixed(0)} MB`);
  }
  // Sticky cache misses are the replays a short sticky timeout costs; schedule-to-start, how long
  // tasks waited before a worker took them.
  const sdk = await workerSdkMetrics(
    clusterPorts.workers.map((w) => `http://127.0.0.1:${w.metrics}/metrics`),
  );
  for (const [name, value] of [...sdk].sort()) console.log(`workers' ${name}: ${value}`);
  console.log(`machine load average at the end: ${await loadAverage()}`);
} finally {
  await connection.close().catch(() => {});
  await cluster.stop();
  await smtp.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
