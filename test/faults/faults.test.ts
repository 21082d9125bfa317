/**
 * Faults survived, against the service as separate processes (see test/helpers/faults/fault-stack.ts): a
 * worker killed with SIGKILL while it sends a notice and while it packages, the Temporal server
 * and PostgreSQL stopped and restarted under running jobs, two API processes sharing one rate
 * limit, and creates repeated with their Idempotency-Key across a killed API process. Each case
 * checks that the fault really hit (a retried attempt in the workflow's history, a message the
 * SMTP server refused) and that nothing was lost or done twice.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/api-keys.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { API_KEY, type Api, type FaultStack, ORG, startFaultStack } from '../helpers/faults/fault-stack.js';
import { documentOf, jobMarkedStarted, jobsIn, sleep, to } from '../helpers/faults/jobs.js';
import { type ServiceProcess, until } from '../helpers/processes.js';

let stack: FaultStack;
let api: Api;
let worker: ServiceProcess;

beforeAll(async () => {
  stack = await startFaultStack();
  api = await stack.startApi();
  worker = await stack.startWorker();
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

const {
  createRequest,
  createJob,
  handleOf,
  signersOf,
  untilActivated,
  sign,
  untilJobStatus,
  attemptsOf,
  padesRows,
  killWhilePackaging: killWhilePackagingBy,
  statusChangeSeqs,
  noticesOf,
  downloadPades,
} = jobsIn({
  get db() {
    return stack.db;
  },
  get temporal() {
    return stack.temporal;
  },
  apiUrl: () => api.url,
  org: ORG,
  apiKey: API_KEY,
});

/** Kills the (one) worker once the job's packaging runs; true if no PAdES was stored by then. */
const killWhilePackaging = (jobId: string) => killWhilePackagingBy(jobId, () => worker.kill());

describe('faults survived', () => {
  it('a worker killed in the middle of sending a notice: the notice arrives exactly once', async () => {
    const address = 'killed-mid-send@example.com';
    let killed = false;
    // The worker dies while the SMTP server holds its answer to the message: never accepted.
    stack.smtp.beforeNextAccept(async () => {
      await worker.kill();
      killed = true;
      await sleep(300);
    });
    const jobId = await createJob({ emails: [address] });
    await until('the worker to be killed mid-send', async () => (killed ? true : undefined));
    worker = await stack.startWorker();

    await until('the activation notice', async () =>
      stack.smtp.delivered.some(to(address)) ? true : undefined,
    );
    await until('the notice to be recorded', async () => {
      const rows = await stack.db.selectFrom('notices').select('id').where('job_id', '=', jobId).execute();
      return rows.length > 0 ? rows : undefined;
    });
    // Time for a stray second attempt, were there one, to arrive.
    await sleep(3000);
    const received = stack.smtp.delivered.filter(to(address));
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('/portal/');
    const notices = await stack.db
      .selectFrom('notices')
      .select(['notice_key', 'channel'])
      .where('job_id', '=', jobId)
      .execute();
    expect(notices).toHaveLength(1);
    // The kill hit an attempt: the one that delivered was a retry.
    expect(Math.max(...(await attemptsOf(jobId, 'sendSignerNotice')))).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('a worker killed while it packages: the job completes with one PAdES', async () => {
    let jobId = '';
    let hit = false;
    // Packaging takes a moment; the kill must land inside it. Should it finish before the poll
    // sees it running, the case is tried again with a new job.
    for (let round = 1; round <= 3 && !hit; round++) {
      jobId = await createJob({
        emails: [`pack-${round}-a@example.com`, `pack-${round}-b@example.com`],
        pages: 120,
      });
      await untilActivated(jobId);
      const signers = await signersOf(jobId);
      expect((await sign(jobId, signers[0]!.id)).status).toBe(200);
      expect((await sign(jobId, signers[1]!.id)).status).toBe(200);
      hit = await killWhilePackaging(jobId);
      if (worker.child.signalCode !== null) worker = await stack.startWorker();
    }
    expect(hit, 'the kill never landed inside packaging').toBe(true);

    await untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY');
    const rows = await padesRows(jobId);
    expect(rows).toHaveLength(1);
    const pdf = await downloadPades(jobId);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(rows[0]!.sha256);
    expect(Math.max(...(await attemptsOf(jobId, 'packageJob')))).toBeGreaterThanOrEqual(2);
  }, 300_000);

  it('the Temporal server stopped and restarted mid-job: the job goes on from its SQLite file', async () => {
    const jobId = await createJob({ emails: ['temporal-restart@example.com'] });
    await untilActivated(jobId);
    const { runId } = await handleOf(jobId).describe();

    await stack.stopTemporal();
    await sleep(2000);
    await stack.startTemporal();

    const [signer] = await signersOf(jobId);
    // The API and the worker reconnect by themselves; the first calls may still find them away.
    await until('a signature through the restarted server', async () =>
      (await sign(jobId, signer!.id)).status === 200 ? true : undefined,
    );
    await untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY');
    const after = await handleOf(jobId).describe();
    expect(after.runId).toBe(runId);
    expect(await padesRows(jobId)).toHaveLength(1);
  }, 180_000);

  it('PostgreSQL stopped and restarted mid-job: activities retry and nothing is lost', async () => {
    const activationTime = new Date(Date.now() + 8000).toISOString();
    const jobId = await createJob({ emails: ['pg-restart@example.com'], activationTime });
    await stack.stopPostgres();
    // The activation comes while the database is away: its activities fail and are retried.
    await sleep(Date.parse(activationTime) - Date.now() + 5000);
    await stack.startPostgres();

    await untilActivated(jobId);
    const [signer] = await signersOf(jobId);
    await until('a signature once the database is back', async () =>
      (await sign(jobId, signer!.id)).status === 200 ? true : undefined,
    );
    await untilJobStatus(jobId, 'COMPLETED_SUCCESSFULLY');
    expect(await padesRows(jobId)).toHaveLength(1);
    // The activation's first recording (a local activity) met the database away and was retried.
    const retried = await attemptsOf(jobId);
    expect(Math.max(...retried)).toBeGreaterThanOrEqual(2);
    // Every status change recorded once, in order, none missing.
    expect((await statusChangeSeqs(jobId)).length).toBeGreaterThanOrEqual(2);
    expect(await noticesOf(jobId)).toHaveLength(1);
  }, 180_000);

  it('two API processes hold one rate limit between them', async () => {
    const org = '974760673';
    const key = 'fault-test-rate-limit-key';
    await upsertOrganisation(stack.db, { orgNumber: org, name: 'Rate Limited AS', sector: 'PRIVATE' });
    await createApiKey(stack.db, org, 'rate limit test', key);
    const second = await stack.startApi();
    try {
      const get = (base: string) =>
        fetch(`${base}/api/${org}/portal/signature-jobs/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: `Bearer ${key}` },
        }).then((r) => ({ base, status: r.status }));
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => get(i % 2 === 0 ? api.url : second.url)),
      );
      const passed = results.filter((r) => r.status !== 429);
      const limited = results.filter((r) => r.status === 429);
      // 10 per second between both processes (one second window, maybe two): never 10 each.
      expect(passed.length).toBeGreaterThan(0);
      expect(passed.length).toBeLessThanOrEqual(20);
      expect(limited.length).toBeGreaterThanOrEqual(10);
      expect(new Set(limited.map((r) => r.base)).size).toBe(2);
      // A block seen by one process holds in the other.
      expect((await get(second.url)).status).toBe(429);
      expect((await get(api.url)).status).toBe(429);
    } finally {
      await second.process.stop();
    }
  }, 120_000);

  it('a create repeated with its Idempotency-Key after the API process was killed makes one job', async () => {
    const port = Number(new URL(api.url).port);
    const pdf = await documentOf(1);
    // The kill lands at different points of the create: before the rows, between the rows and
    // the workflow start, after both.
    for (const delayMs of [0, 40, 120, 400]) {
      const idempotencyKey = `fault-restart-${delayMs}`;
      const send = createRequest({ emails: [`idem-${delayMs}@example.com`], idempotencyKey }, pdf);
      const first = send().then(
        async (r) => ({
          status: r.status,
          id: r.status === 201 ? ((await r.json()) as { id: string }).id : '',
        }),
        () => ({ status: 0, id: '' }),
      );
      await sleep(delayMs);
      await api.process.kill();
      const firstAnswer = await first;
      api = await stack.startApi(port);

      const retry = await send();
      expect([200, 201]).toContain(retry.status);
      const { id } = (await retry.json()) as { id: string };
      if (firstAnswer.id) expect(id).toBe(firstAnswer.id);
      const jobs = await stack.db
        .selectFrom('signature_jobs')
        .select('id')
        .where('idempotency_key', '=', idempotencyKey)
        .execute();
      expect(jobs.map((j) => j.id)).toEqual([id]);
      await jobMarkedStarted(stack.db, id);
      const { status } = await handleOf(id).describe();
      expect(status.name).toBe('RUNNING');
    }
  }, 240_000);

  it('a job stored without its workflow is started by the API process at its start', async () => {
    const jobId = await createJob({ emails: ['stranded@example.com'] });
    // Its activation recorded first: a recording still under way would mark it started again.
    await untilActivated(jobId);
    const { runId } = await handleOf(jobId).describe();
    // Recreate the moment after a crash: the rows are there, the workflow never started.
    await handleOf(jobId).terminate('fault test: the workflow is made to not exist');
    await sql`update signature_jobs set workflow_started_at = null, created_at = now() - interval '5 minutes'
      where id = ${jobId}`.execute(stack.db);

    const port = Number(new URL(api.url).port);
    await api.process.kill();
    api = await stack.startApi(port);

    const started = await until('the stranded job to be started', async () => {
      const d = await handleOf(jobId).describe();
      return d.runId !== runId && d.status.name === 'RUNNING' ? d : undefined;
    });
    expect(started.runId).not.toBe(runId);
    await untilActivated(jobId);
    const row = await stack.db
      .selectFrom('signature_jobs')
      .select('workflow_started_at')
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.workflow_started_at).not.toBeNull();
  }, 120_000);
});
