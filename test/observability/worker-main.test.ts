/**
 * The production entry of the worker (worker/main.ts) as a child process, against a Temporal dev
 * server and a fresh database: its /healthz and /metrics (with the Temporal SDK's metrics) on
 * METRICS_PORT, JSON logs without personal data, and a clean exit on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertNoPersonalData } from '../../src/observability/logging.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { devServerEnv } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let dataDir: string;
let child: ChildProcess;
let exited: Promise<number | null>;
let stdout = '';
let stderr = '';
let metricsPort: number;

beforeAll(async () => {
  [env, t] = await Promise.all([devServerEnv(), createTestDatabase()]);
  dataDir = await mkdtemp(join(tmpdir(), 'esign-worker-main-'));
  metricsPort = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    env: {
      PATH: process.env.PATH,
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
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
        if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${stderr}${stdout}`);
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
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContain('metrics server listening');
    expect(messages).toContain('worker started');
    expect(messages).toContain('worker stopped');
    for (const line of lines) assertNoPersonalData(line);
  }, 60_000);
});
