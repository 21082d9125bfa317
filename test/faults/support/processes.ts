/**
 * The service as separate processes, for fault tests: the worker and the API run from their
 * production entry points (worker/main.ts, api/main.ts) as child processes that can be killed
 * with SIGKILL, beside a PostgreSQL and a Temporal dev server that can be stopped and restarted
 * on their data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../../src/dev/tools.js';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The process's output so far (its last 20,000 characters), for failure messages. */
  output(): string;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown hook runs, exactly like a lost machine. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it does not stop within 10 s. */
  stop(): Promise<void>;
}

export function startServiceProcess(
  name: string,
  entry: 'worker/main.ts' | 'api/main.ts',
  env: Record<string, string>,
): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  };
  return {
    name,
    child,
    output: () => output,
    exited,
    kill: () => signal('SIGKILL', 0),
    stop: () => signal('SIGTERM', 10_000),
  };
}

/** Waits until `url` answers 200, or fails with the process's output. */
export async function waitForHttp(url: string, proc: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited (code ${proc.child.exitCode}):\n${proc.output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} did not answer ${url}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the process's output contains `text`. */
export async function waitForOutput(proc: ServiceProcess, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().includes(text)) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited (code ${proc.child.exitCode}):\n${proc.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} never printed "${text}":\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `probe` until it returns a value other than undefined. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
