/**
 * The fault tests of test/faults, against the production shape (`npm run cluster`, started once
 * here): the real Temporal server on PostgreSQL with its four services as separate processes,
 * two workers and two API processes from the production build behind the proxy. Each case checks
 * that the fault really hit and that nothing was lost or done twice; then the jobs are found by
 * their search attributes in SQL visibility, and the archive schedule exists once although two
 * workers started together.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_RENEWAL_SCHEDULE_ID } from '../../src/archive/schedule.js';
import {
  type Cluster,
  type ClusterPorts,
  freeLowPorts,
  startCluster,
  TEMPORAL_SERVICES,
} from '../../src/dev/cluster.js';
import { documentOf, jobMarkedStarted, jobsIn, sleep, to } from '../helpers/faults/jobs.js';
import { type FaultSmtp, startFaultSmtp } from '../helpers/faults/smtp.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';

const ORG = '987654325';
const API_KEY = 'cluster-test-api-key';

let dir: string;
let cluster: Cluster;
let smtp: FaultSmtp;
let connection: Connection;
let temporal: Client;
/** Every job this file created, for the visibility check at the end. */
const created: string[] = [];

async function ports(): Promise<ClusterPorts> {
  const n = async (count: number) => Promise.all(Array.from({ length: count }, () => freePort()));
  const [proxy, temporalPort, ui, postgres, smtpPort] = await n(5);
  return {
    proxy: proxy!,
    temporal: temporalPort!,
    ui: ui!,
    postgres: postgres!,
    smtp: smtpPort!,
    oidc: (await n(1))[0]!,
    temporalInternal: await freeLowPorts(8),
    apis: await n(2),
    workers: [
      { metrics: await freePort(), sdkMetrics: await freePort() },
      { metrics: await freePort(), sdkMetrics: await freePort() },
    ],
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esign-cluster-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must be able to enter the folder.
  await chmod(dir, 0o755);
  smtp = await startFaultSmtp(await freePort());
  cluster = await startCluster({
    dataDir: dir,
    ports: await ports(),
    splitServices: true,
    smtpUrl: smtp.url,
    devSender: { org: ORG, apiKey: API_KEY },
    say: (line) => console.log(`[cluster] ${line}`),
  });
  connection = await Connection.connect({ address: cluster.temporalAddress });
  temporal = new Client({ connection, namespace: cluster.namespace });
}, 600_000);

afterAll(async () => {
  await connection?.close().catch(() => {});
  const pids = cluster?.pids() ?? [];
  await cluster?.stop();
  await smtp?.stop();
  // Nothing the cluster started outlives it.
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(alive).toEqual([]);
}, 120_000);

const jobs = jobsIn({
  get db() {
    return cluster.db;
  },
  get temporal() {
    return temporal;
  },
  apiUrl: () => cluster.proxyUrl,
  org: ORG,
  apiKey: API_KEY,
});

async function createJob(o: Parameters<typeof jobs.createJob>[0]): Promise<string> {
  const id = await jobs.createJob(o);
  created.push(id);
  return id;
}

/** SIGKILLs the worker process whose identity (`pid@host`) is given; returns its index. */
async function killWorker(identity: string): Promise<number> {
  const pid = Number(identity.split('@')[0]);
  const i = cluster.workers.findIndex((w) => w.pid === pid);
  expect(i, `no worker process has the identity ${identity}`).toBeGreaterThanOrEqual(0);
  await cluster.workers[i]!.kill();
  return i;
}

async function restartWorker(i: number): Promise<void> {
  cluster.workers[i]!.start();
  await cluster.untilWorkerHealthy(i);
}

async function signUntilAccepted(jobId: string, signerId: string): Promise<void> {
  await until(
    'a signature accepted',
    async () => ((await jobs.sign(jobId, signerId)).status === 200 ? true : undefined),
    180_000,
    1000,
  );
}

describe('the production shape', () => {
  it('has the archive schedule once, although both workers started together and tried to create it', async () => {
    const outcomes: string[] = [];
    for (const n of [1, 2]) {
      const log = await readFile(join(dir, 'logs', `worker-${n}.log`), 'utf8');
      for (const m of log.matchAll(/"schedule":"(created|exists)"/g)) outcomes.push(m[1]!);
    }
    expect(outcomes.sort()).toEqual(['created', 'exists']);
    const ids: string[] = [];
    for await (const s of temporal.schedule.list()) ids.push(s.scheduleId);
    expect(ids.filter((id) => id === ARCHIVE_RENEWAL_SCHEDULE_ID)).toHaveLength(1);
  });

  it('a worker killed in the middle of sending a notice: the notice arrives exactly once', async () => {
    const address = 'cluster-killed-mid-send@example.com';
    let resolveJob!: (id: string) => void;
    const jobIdKnown = new Promise<string>((r) => {
      resolveJob = r;
    });
    let killed: number | undefined;
    // The worker sending it dies while the SMTP server holds its answer: never accepted.
    smtp.beforeNextAccept(async () => {
      const jobId = await jobIdKnown;
      const running = await until('the notice activity', () =>
        jobs.runningActivity(jobId, 'sendSignerNotice'),
      );
      killed = await killWorker(running.worker);
      await sleep(300);
    });
    const jobId = await createJob({ emails: [address] });
    resolveJob(jobId);
    await until('the worker to be killed mid-send', async () => killed);
    // The other worker takes the retry; the killed one comes back meanwhile.
    await restartWorker(killed!);

    await until(
      'the activation notice',
      async () => (smtp.delivered.some(to(address)) ? true : undefined),
      120_000,
    );
    await until('the notice to be recorded', async () => {
      const rows = await jobs.noticesOf(jobId);
      return rows.length > 0 ? rows : undefined;
    });
    await sleep(3000);
    expect(smtp.delivered.filter(to(address))).toHaveLength(1);
    expect(await jobs.noticesOf(jobId)).toHaveLength(1);
    expect(Math.max(...(await jobs.attemptsOf(jobId, 'sendSignerNotice')))).toBeGreaterThanOrEqual(2);
  });

  it('a worker killed while it packages: the job completes with one PAdES', async () => {
    let jobId = '';
    let hit = false;
    for (let round = 1; round <= 3 && !hit; round++) {
      jobId = await createJob({
        emails: [`cluster-pack-${round}-a@example.com`, `cluster-pack-${round}-b@example.com`],
        pages: 120,
      });
      await jobs.untilActivated(jobId);
      const signers = await jobs.signersOf(jobId);
      expect((await jobs.sign(jobId, signers[0]!.id)).status).toBe(200);
      expect((await jobs.sign(jobId, signers[1]!.id)).status).toBe(200);
      let killed: number | undefined;
      hit = await jobs.killWhilePackaging(jobId, async (identity) => {
        killed = await killWorker(identity);
      });
      if (killed !== undefined) await restartWorker(killed);
    }
    expect(hit, 'the kill never landed inside packaging').toBe(true);

    await jobs.untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY', 180_000);
    const rows = await jobs.padesRows(jobId);
    expect(rows).toHaveLength(1);
    const pdf = await jobs.downloadPades(jobId);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(rows[0]!.sha256);
    expect(Math.max(...(await jobs.attemptsOf(jobId, 'packageJob')))).toBeGreaterThanOrEqual(2);
  });

  it('the whole Temporal server killed and restarted mid-job: the job goes on from PostgreSQL', async () => {
    const jobId = await createJob({ emails: ['cluster-temporal-restart@example.com'] });
    await jobs.untilActivated(jobId);
    const { runId } = await jobs.handleOf(jobId).describe();

    const services = [...cluster.temporal.values()];
    const before = services.map((p) => p.pid);
    await Promise.all(services.map((p) => p.kill()));
    for (const p of services) expect(p.child.signalCode, p.name).toBe('SIGKILL');
    await sleep(2000);
    // While it is down the API cannot reach it: its health check says so.
    expect((await fetch(`${cluster.proxyUrl}/healthz`)).status).not.toBe(200);
    for (const s of ['history', 'matching', 'frontend', 'worker'] as const) cluster.temporal.get(s)!.start();
    await cluster.untilTemporalServing();
    expect(services.map((p) => p.pid).some((pid, i) => pid === before[i])).toBe(false);

    const [signer] = await jobs.signersOf(jobId);
    await signUntilAccepted(jobId, signer!.id);
    await jobs.untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY', 180_000);
    expect((await jobs.handleOf(jobId).describe()).runId).toBe(runId);
    expect(await jobs.padesRows(jobId)).toHaveLength(1);
  });

  it('the history and the matching service killed apart and restarted: the job completes once', async () => {
    expect([...cluster.temporal.keys()].sort()).toEqual([...TEMPORAL_SERVICES].sort());
    const jobId = await createJob({
      emails: ['cluster-history-a@example.com', 'cluster-history-b@example.com'],
    });
    await jobs.untilActivated(jobId);
    const { runId } = await jobs.handleOf(jobId).describe();
    const [first, second] = await jobs.signersOf(jobId);

    for (const [service, signer] of [
      ['history', first!],
      ['matching', second!],
    ] as const) {
      const p = cluster.temporal.get(service)!;
      const pid = p.pid;
      await p.kill();
      expect(p.child.signalCode, service).toBe('SIGKILL');
      await sleep(1500);
      p.start();
      expect(p.pid).not.toBe(pid);
      await cluster.untilTemporalServing();
      await signUntilAccepted(jobId, signer.id);
    }
    await jobs.untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY', 180_000);
    expect((await jobs.handleOf(jobId).describe()).runId).toBe(runId);
    expect(await jobs.padesRows(jobId)).toHaveLength(1);
    expect((await jobs.statusChangeSeqs(jobId)).length).toBeGreaterThanOrEqual(2);
  });

  it('PostgreSQL (the application’s and Temporal’s) stopped and restarted mid-job: nothing is lost', async () => {
    const activationTime = new Date(Date.now() + 8000).toISOString();
    const jobId = await createJob({ emails: ['cluster-pg-restart@example.com'], activationTime });
    await cluster.stopPostgres();
    // The fault hits: the API's health check (which asks the database) fails through the proxy.
    const during = await fetch(`${cluster.proxyUrl}/healthz`);
    expect(during.status).not.toBe(200);
    await sleep(Date.parse(activationTime) - Date.now() + 5000);
    await cluster.startPostgres();
    await cluster.untilTemporalServing();
    for (const [name, p] of cluster.temporal) expect(p.running(), `temporal ${name}`).toBe(true);

    await jobs.untilActivated(jobId);
    const [signer] = await jobs.signersOf(jobId);
    await signUntilAccepted(jobId, signer!.id);
    await jobs.untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY', 180_000);
    expect(await jobs.padesRows(jobId)).toHaveLength(1);
    expect((await jobs.statusChangeSeqs(jobId)).length).toBeGreaterThanOrEqual(2);
    expect(await jobs.noticesOf(jobId)).toHaveLength(1);
  });

  it('an API process killed during a create: the retry through the proxy makes one job', async () => {
    const pdf = await documentOf(1);
    const direct = cluster.apiUrls[0]!;
    for (const delayMs of [0, 40, 120, 400]) {
      const idempotencyKey = `cluster-kill-${delayMs}`;
      const o = { emails: [`cluster-idem-${delayMs}@example.com`], idempotencyKey };
      // The first attempt goes to API process 1 itself, which is killed under it.
      const first = jobs
        .createRequest(o, pdf, direct)()
        .then(
          async (r) => ({
            status: r.status,
            id: r.status === 201 ? ((await r.json()) as { id: string }).id : '',
          }),
          () => ({ status: 0, id: '' }),
        );
      await sleep(delayMs);
      await cluster.apis[0]!.kill();
      expect(cluster.apis[0]!.child.signalCode).toBe('SIGKILL');
      const firstAnswer = await first;
      // The retry goes through the proxy, which finds process 1 gone and uses process 2.
      const retry = await jobs.createRequest(o, pdf)();
      expect([200, 201], await retry.clone().text()).toContain(retry.status);
      const { id } = (await retry.json()) as { id: string };
      created.push(id);
      if (firstAnswer.id) expect(id).toBe(firstAnswer.id);
      const rows = await cluster.db
        .selectFrom('signature_jobs')
        .select('id')
        .where('idempotency_key', '=', idempotencyKey)
        .execute();
      expect(rows.map((j) => j.id)).toEqual([id]);
      await jobMarkedStarted(cluster.db, id);
      expect((await jobs.handleOf(id).describe()).status.name).toBe('RUNNING');
      cluster.apis[0]!.start();
      await cluster.untilApiHealthy(0);
    }
  });

  it('finds the jobs by their search attributes in SQL visibility', async () => {
    const ids = (query: string) =>
      until(
        `a listing for ${query}`,
        async () => {
          const found = new Set<string>();
          for await (const w of temporal.workflow.list({ query })) found.add(w.workflowId);
          return created.every((id) => found.has(jobs.handleOf(id).workflowId)) ? found : undefined;
        },
        60_000,
        1000,
      );
    expect(created.length).toBeGreaterThanOrEqual(6);
    const bySender = await ids(`SenderOrganization = "${ORG}"`);
    expect(bySender.size).toBeGreaterThanOrEqual(created.length);
    // Another organisation's filter finds none of them.
    const others = new Set<string>();
    for await (const w of temporal.workflow.list({ query: 'SenderOrganization = "974760673"' })) {
      others.add(w.workflowId);
    }
    expect(created.filter((id) => others.has(jobs.handleOf(id).workflowId))).toEqual([]);
    // The status the workflow upserts: the completed jobs, and only those.
    const completed = await cluster.db
      .selectFrom('signature_jobs')
      .select('id')
      .where('status', '=', 'COMPLETED_SUCCESSFULLY')
      .execute();
    expect(completed.length).toBeGreaterThanOrEqual(4);
    await until(
      'the completed jobs by status',
      async () => {
        const found = new Set<string>();
        for await (const w of temporal.workflow.list({
          query: `SenderOrganization = "${ORG}" AND SignatureJobStatus = "COMPLETED_SUCCESSFULLY"`,
        })) {
          found.add(w.workflowId);
        }
        const want = completed.map((c) => jobs.handleOf(c.id).workflowId);
        return want.every((w) => found.has(w)) && found.size === want.length ? true : undefined;
      },
      60_000,
      1000,
    );
  });
});
