/**
 * The production entry of the worker (worker/main.ts) as a child process, against a Temporal dev
 * server and a fresh database: its /healthz and /metrics (with the Temporal SDK's metrics) on
 * METRICS_PORT, JSON logs without personal data, and a clean exit on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertNoPersonalData } from '../../src/observability/logging.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { type ServiceProcess, startServiceProcess } from '../helpers/processes.js';
import { devServerEnv } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let dataDir: string;
let worker: ServiceProcess;
let metricsPort: number;

beforeAll(async () => {
  [env, t] = await Promise.all([devServerEnv(), createTestDatabase()]);
  dataDir = await mkdtemp(join(tmpdir(), 'esign-worker-main-'));
  metricsPort = await freePort();
  worker = startServiceProcess(
    'worker',
    'worker/main.ts',
    {
      APP_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: t.url,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: `worker-main-${randomUUID()}`,
      METRICS_PORT: String(metricsPort),
      TEMPORAL_METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    },
    // The last test reads the whole JSON log.
    Number.POSITIVE_INFINITY,
  );
}, 180_000);

afterAll(async () => {
  await worker?.kill();
  await env?.teardown();
  await t?.db.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const url = (path: string) => `http://127.0.0.1:${metricsPort}${path}`;

describe('worker/main.ts', () => {
  it('answers /healthz 200 once the worker polls', async () => {
    // Bundling the workflows and creating the PKI take a while on a busy machine.
    await vi.waitFor(
      async () => {
        if (worker.child.exitCode !== null) {
          throw new Error(`worker exited ${worker.child.exitCode}: ${worker.output()}`);
        }
        const res = await fetch(url('/healthz'));
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'RUNNING' });
      },
      { timeout: 150_000, interval: 500 },
    );
  }, 160_000);

  it("serves its metrics with the Temporal SDK's on METRICS_PORT", async () => {
    await vi.waitFor(
      async () => {
        const text = await (await fetch(url('/metrics'))).text();
        expect(text).toMatch(/^temporal_\w+\{.*service="esign-worker"/m);
      },
      { timeout: 20_000, interval: 500 },
    );
    const text = await (await fetch(url('/metrics'))).text();
    for (const name of [
      'esign_notices_sent_total',
      'esign_activity_failures_total',
      'esign_activity_duration_seconds',
      'esign_packaging_duration_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('esign_process_resident_memory_bytes');
    expect(text).toMatch(/^temporal_worker_start\w*\{/m);
  });

  it('stops on SIGTERM with exit code 0, its JSON log free of personal data', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const lines = worker
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContain('metrics server listening');
    expect(messages).toContain('worker started');
    expect(messages).toContain('worker stopped');
    for (const line of lines) assertNoPersonalData(line);
  }, 60_000);
});
