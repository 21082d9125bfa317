/**
 * Benchmark: job creation through the API (multipart with a 100 KB PDF) against the bare Temporal
 * start the create makes (the same workflow, input, search attributes and priority, for a job id
 * with no rows), in one run, on loopback. Bounded in time: two measured phases of BENCH_SECONDS
 * (default 6) after a short warm-up, plus start-up.
 *
 *   npx tsx bench/api/create-jobs.ts          (BENCH_SECONDS=10 BENCH_CONCURRENCY=32 to vary)
 *
 * By default no worker runs: the started jobs wait in their queue, so both phases measure the
 * call and its caller only, not the jobs' own work (activation, notices), which in production
 * runs in worker processes of their own (docs/scaling.md). BENCH_WORKER=on runs a worker in this
 * process as well; it then takes CPU from the API phase only (bare starts here have no rows, and
 * their jobs fail at once).
 *
 * The load generator and the API share this process (and the machine's cores with PostgreSQL and
 * Temporal), so the figures are for comparing runs, not capacity planning.
 */
import { randomUUID } from 'node:crypto';
import { parseJobRequest } from '../../src/job/schema.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { startWorkflow, workflowInputFor } from '../../src/services/create-job.js';
import { scanLikePdf } from '../../test/fixtures/signing/pdfs.js';
import { cpuMsPerOperation, cpuSecondsByGroup, formatCpu, type ProcessGroups } from '../support/cpu.js';
import { type LoadResult, runLoad } from './load.js';
import { BENCH_ORG, startBenchStack } from './stack.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WORKER = process.env.BENCH_WORKER === 'on';
const PDF_BYTES = 100 * 1024;

const pdf = await scanLikePdf(1, PDF_BYTES);
const jobRequest = {
  title: 'Benchmark contract',
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
  signers: [{ personalIdentificationNumber: testPopulation[0]!.pid }],
};
const job = JSON.stringify(jobRequest);

console.log(`starting PostgreSQL, Temporal${WORKER ? ', the worker' : ''} and the API (rate limit off) ...`);
const stack = await startBenchStack({ rateLimit: false, worker: WORKER });
try {
  const createJob = async () => {
    const form = new FormData();
    form.append('job', new Blob([job], { type: 'application/json' }));
    form.append('contract.pdf', new Blob([pdf as BlobPart], { type: 'application/pdf' }), 'contract.pdf');
    const res = await fetch(`${stack.baseUrl}/api/${BENCH_ORG}/portal/signature-jobs`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    await res.arrayBuffer();
    return res.status === 201;
  };
  // The start every create makes, alone: the floor any create pays.
  const parsed = parseJobRequest('portal', jobRequest, { sector: 'PUBLIC' }, new Date());
  if (!parsed.ok) throw new Error(`the benchmark's job is refused: ${JSON.stringify(parsed.issues)}`);
  const startWorkflowOnly = async () => {
    const jobId = randomUUID();
    const input = workflowInputFor({ id: jobId, org_number: BENCH_ORG, flow: 'portal' }, parsed.job, [
      randomUUID(),
    ]);
    await startWorkflow(stack.jobDeps, input);
    return true;
  };

  console.log(
    `warming up; then ${SECONDS} s per phase at concurrency ${CONCURRENCY}, PDF ${pdf.byteLength} bytes, worker ${WORKER ? 'on' : 'off'}`,
  );
  await runLoad(createJob, { seconds: 1, concurrency: 4 });
  await runLoad(startWorkflowOnly, { seconds: 1, concurrency: 4 });
  // Where the CPU goes: this process is the load generator, the API (and the worker, if on).
  const groups: ProcessGroups = (pid, command) =>
    pid === process.pid
      ? 'client+API'
      : command === 'postgres'
        ? 'PostgreSQL'
        : command.startsWith('temporal')
          ? 'Temporal'
          : undefined;
  const c0 = await cpuSecondsByGroup(groups);
  const api = await runLoad(createJob, { seconds: SECONDS, concurrency: CONCURRENCY });
  const c1 = await cpuSecondsByGroup(groups);
  const bare = await runLoad(startWorkflowOnly, { seconds: SECONDS, concurrency: CONCURRENCY });
  const c2 = await cpuSecondsByGroup(groups);

  const row = (name: string, r: LoadResult) =>
    `${name.padEnd(28)} ${r.perSecond.toFixed(1).padStart(8)}/s ${r.p50Ms.toFixed(1).padStart(8)} ms ${r.p99Ms
      .toFixed(1)
      .padStart(8)} ms ${String(r.completed).padStart(7)} ${String(r.failed).padStart(6)}`;
  console.log(
    `\n${'phase'.padEnd(28)} ${'rate'.padStart(10)} ${'p50'.padStart(11)} ${'p99'.padStart(11)} ${'done'.padStart(7)} ${'failed'.padStart(6)}`,
  );
  console.log(row('API create (100 KB PDF)', api));
  console.log(`  ${formatCpu(cpuMsPerOperation(c0, c1, api.completed + api.failed))}`);
  console.log(row('bare workflow.start', bare));
  console.log(`  ${formatCpu(cpuMsPerOperation(c1, c2, bare.completed + bare.failed))}`);
  console.log(
    `\nAPI jobs/s as a share of bare starts/s: ${((api.perSecond / bare.perSecond) * 100).toFixed(1)} %`,
  );
  console.log(`API p50 latency over bare start p50: ${(api.p50Ms / bare.p50Ms).toFixed(1)}x`);
} finally {
  await stack.stop();
}
