/**
 * The Temporal dev server (the `temporal` CLI) as a child process: SQLite file for persistence,
 * Web UI, and the job search attributes registered so operators can filter by them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../job/search-attributes.js';
import { fairnessEnabled } from '../services/fairness.js';
import { temporalCliPath } from './tools.js';

export interface RunningTemporal {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The dev server's dynamic configuration for fairness and priority, as
 * deploy/temporal/dynamicconfig.yaml sets it for the real server (docs/scaling.md); off with
 * TASK_FAIRNESS=off.
 */
export function fairnessArgs(on: boolean): string[] {
  return ['matching.useNewMatcher', 'matching.enableFairness'].flatMap((key) => [
    '--dynamic-config-value',
    `${key}=${on}`,
  ]);
}

export async function startTemporalDevServer(opts: {
  dbFile: string;
  port: number;
  uiPort: number;
  onLog?: (line: string) => void;
}): Promise<RunningTemporal> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    opts.dbFile,
    '--log-level',
    'warn',
    ...devServerSearchAttributeArgs(),
    ...fairnessArgs(fairnessEnabled()),
  ];
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
    opts.onLog?.(b.toString());
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 250))]);
    if (early !== 'wait') throw new Error(`the Temporal dev server exited (code ${early}):\n${output}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not answer on ${address} within 30 s:\n${output}`);
      }
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
