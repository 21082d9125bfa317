/**
 * The worker's telemetry end to end, in one process as worker/main.ts wires it: the Temporal
 * Runtime with its Prometheus exporter, the /metrics + /healthz server, tracing to an OTLP/HTTP
 * receiver, and the pino log; against the real Temporal dev server, a fresh database, real
 * notices (SMTP sink) and real packaging. One signature job runs from start to its packaging.
 *
 * The Runtime is one per process: this file installs it before anything touches Temporal
 * (vitest runs each file in its own process).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Logger, REDACTED_PATHS } from '../../src/log.js';
import { assertNoPersonalData } from '../../src/observability/logging.js';
import { createTracing, type Tracing } from '../../src/observability/tracing.js';
import { startWorkerTelemetry, type WorkerTelemetry } from '../../src/observability/worker-telemetry.js';
import { createSigningContext, type SigningContext } from '../../src/signatures/context.js';
import { createSignerSignature } from '../../src/signatures/job-results.js';
import { PostgresDocumentStore } from '../../src/storage/index.js';
import { createSignatureWorker } from '../../worker/worker.js';
import { signUpdate, statusQuery, WORKFLOW_TYPE } from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestJob } from '../helpers/jobs.js';
import { startTestNotifications } from '../helpers/notifications.js';
import { freePort } from '../helpers/ports.js';
import { devServerEnv } from '../helpers/temporal.js';

/** A collector's OTLP/HTTP traces endpoint in miniature: keeps every span POSTed as JSON. */
interface ReceivedSpan {
  name: string;
  traceId: string;
  service: string;
}
async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
        for (const rs of body.resourceSpans ?? []) {
          const service = String(
            rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '',
          );
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) spans.push({ name: s.name, traceId: s.traceId, service });
          }
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    spans,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { name: string; traceId: string }[] }[];
  }[];
}

/** The worker's log as src/log.ts configures it (same redaction), written into an array. */
function captureLog() {
  const lines: string[] = [];
  const log: Logger = pino(
    { name: 'worker', level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => lines.push(line) },
  );
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let telemetry: WorkerTelemetry;
let apiTracing: Tracing;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let env: TestWorkflowEnvironment;
let t: TestDatabase;
let notices: Awaited<ReturnType<typeof startTestNotifications>>;
let signing: SigningContext;
let pkiDir: string;
let worker: Worker;
let running: Promise<void>;
let client: Client;
const logs = captureLog();
const taskQueue = `observability-${randomUUID()}`;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const tracing = createTracing({ enabled: true, serviceName: 'esign-worker', otlpUrl: receiver.url });
  apiTracing = createTracing({ enabled: true, serviceName: 'esign-api', otlpUrl: receiver.url })!;
  // Before the first Temporal connection (the dev server below is started through the Runtime).
  telemetry = await startWorkerTelemetry({
    server: { host: '127.0.0.1', port: 0 },
    temporalRuntime: { log: logs.log, prometheusPort: await freePort() },
    ...(tracing ? { tracing } : {}),
  });
  [env, t] = await Promise.all([devServerEnv(), createTestDatabase()]);
  pkiDir = await mkdtemp(join(tmpdir(), 'esign-pki-'));
  signing = await createSigningContext({ pkiDir, publicUrl: 'http://localhost:3000' });
  notices = await startTestNotifications(t.db);
  // No prebuilt bundle: the worker bundles the workflows itself, with the tracing interceptors,
  // as worker/main.ts does; the shared test bundle (and the recorded histories) stay without.
  worker = await createSignatureWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps: {
      db: t.db,
      signing,
      storage: new PostgresDocumentStore(t.db),
      notifications: notices.adapters,
      publicUrl: 'http://localhost:3000',
    },
    ...telemetry.workerOptions,
    log: logs.log,
  });
  telemetry.watch(worker);
  running = worker.run();
  // The API's client: its own tracing, so the trace is seen crossing from it into the worker.
  client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    plugins: [apiTracing.plugin],
  });
}, 240_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await telemetry?.close();
  await apiTracing?.shutdown();
  await env?.teardown();
  await notices?.stop();
  await t?.db.destroy();
  await receiver?.close();
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const res = await fetch(telemetry.server!.url);
  expect(res.status).toBe(200);
  return res.text();
}

describe('worker telemetry, one signature job end to end', () => {
  let job: Awaited<ReturnType<typeof startTestJob>>;

  it('answers /healthz 200 while the worker runs', async () => {
    const res = await fetch(telemetry.server!.healthUrl);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'RUNNING' });
  });

  it('runs a job to its packaging', async () => {
    job = await startTestJob(t.db, client, taskQueue, { signers: [{ channels: { email: true } }] });
    // The activation notice goes out first; then the signer signs and the job is packaged.
    await vi.waitFor(async () => expect(await scrape()).toContain('kind="ACTIVATION"'), {
      timeout: 30_000,
      interval: 250,
    });
    const signerId = job.signerIds[0]!;
    await createSignerSignature(
      { db: t.db, storage: new PostgresDocumentStore(t.db), signing },
      job.jobId,
      signerId,
      { name: 'Signer 0', authenticationLevel: 4, authenticatedAt: new Date(), eidProvider: 'test eID' },
    );
    await job.handle.executeUpdate(signUpdate, { args: [{ signerId, authenticationLevel: 4 }] });
    await vi.waitFor(
      async () => expect((await job.handle.query(statusQuery)).status).toBe('COMPLETED_SUCCESSFULLY'),
      { timeout: 60_000, interval: 500 },
    );
  }, 120_000);

  it("serves the worker's own metrics and the Temporal SDK's on /metrics", async () => {
    // Packaging is the activity after completion: wait until its attempt has been measured.
    await vi.waitFor(
      async () =>
        expect(await scrape()).toMatch(/esign_packaging_duration_seconds_count\{outcome="success"\} 1/),
      { timeout: 30_000, interval: 250 },
    );
    const text = await scrape();
    expect(text).toContain('esign_notices_sent_total{channel="EMAIL",kind="ACTIVATION"} 1');
    expect(text).toMatch(
      /esign_activity_duration_seconds_count\{activity_type="packageJob",outcome="success"\} 1/,
    );
    expect(text).toMatch(
      /esign_activity_duration_seconds_count\{activity_type="sendSignerNotice",outcome="success"\} \d/,
    );
    expect(text).toContain('esign_process_resident_memory_bytes');
    // The SDK core's own metrics, merged from its loopback exporter.
    expect(text).not.toContain('# Temporal SDK metrics unavailable');
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/^temporal_(activity_execution_latency|activity_schedule_to_start_latency)\w*\{/m);
    expect(text).toMatch(/^temporal_worker_task_slots_available\{.*service="esign-worker"/m);
    // No job, person or organisation becomes a label.
    expect(text).not.toContain(job.jobId);
    expect(text).not.toContain(job.emails[0]!);
  });

  it('exports spans over OTLP/HTTP: the start in the API, the workflow and its activities in the worker, one trace', async () => {
    const named = (prefix: string) => receiver.spans.filter((s) => s.name === `${prefix}:${WORKFLOW_TYPE}`);
    await vi.waitFor(
      () => {
        expect(named('StartWorkflow')).toHaveLength(1);
        expect(receiver.spans.map((s) => s.name)).toContain('RunActivity:packageJob');
      },
      { timeout: 30_000, interval: 500 },
    );
    const start = named('StartWorkflow')[0]!;
    expect(start.service).toBe('esign-api');
    const inTrace = receiver.spans.filter((s) => s.traceId === start.traceId);
    const names = inTrace.map((s) => s.name);
    // The workflow's own spans (inside the sandbox, exported through the sink) ...
    expect(names).toContain('StartActivity:sendSignerNotice');
    // ... and the activities' on the worker, all in the trace the API's start began.
    expect(names).toContain('RunActivity:sendSignerNotice');
    expect(names).toContain('RunActivity:packageJob');
    expect(inTrace.find((s) => s.name === 'RunActivity:packageJob')?.service).toBe('esign-worker');
  });

  it('logs with the job id and workflow id, and without personal data', async () => {
    const lines = logs.parsed();
    const workflowId = job.handle.workflowId;
    const noticeSent = lines.find((l) => l.msg === 'notice sent' && l.jobId === job.jobId);
    expect(noticeSent).toMatchObject({
      jobId: job.jobId,
      workflowId,
      activity: 'sendSignerNotice',
      signerId: job.signerIds[0],
      channel: 'EMAIL',
      kind: 'ACTIVATION',
    });
    expect(lines.find((l) => l.msg === 'job packaged')).toMatchObject({
      jobId: job.jobId,
      workflowId,
      activity: 'packageJob',
      durationMs: expect.any(Number),
    });
    // The SDK's own activity lines, through the Runtime's logger, carry the job id too, and no
    // task token (it completes the activity for whoever holds it).
    const sdkLine = lines.find((l) => l.msg === 'Activity completed' && l.activityType === 'packageJob');
    expect(sdkLine).toMatchObject({ jobId: job.jobId, workflowId });
    expect(sdkLine).not.toHaveProperty('taskToken');
    // The signer's address went out in the e-mail; it must not be in any log line.
    expect(logs.lines.join('')).not.toContain(job.emails[0]!);
    for (const line of logs.lines) assertNoPersonalData(line);
  });

  it('answers /healthz 503 once the worker has stopped', async () => {
    worker.shutdown();
    await running;
    const res = await fetch(telemetry.server!.healthUrl);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'STOPPED' });
  });
});
