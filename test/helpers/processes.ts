/**
 * The service's production entry points (worker/main.ts, api/main.ts) as child processes, as an
 * operator runs them: for the fault tests (which kill them with SIGKILL), the entry-point tests
 * and the soak benchmark. A built entry (`dist/….js`, after `npm run build`) runs on plain node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../src/dev/tools.js';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The process's output so far, stdout and stderr (its last `maxOutput` characters). */
  output(): string;
  /** Its stdout alone (the JSON log lines), kept the same way. */
  stdout(): string;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown hook runs, exactly like a lost machine. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it does not stop within 10 s. */
  stop(): Promise<void>;
}

export function startServiceProcess(
  name: string,
  entry: 'worker/main.ts' | 'api/main.ts' | `src/dev/${string}.ts` | `dist/${string}.js`,
  env: Record<string, string>,
  /** Output kept for `output()`: enough for failure messages unless a test reads the whole log. */
  maxOutput = 20_000,
): ServiceProcess {
  const args = entry.endsWith('.js') ? [entry] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const collect = (b: Buffer) => {
    output = (output + b.toString()).slice(-maxOutput);
  };
  child.stdout!.on('data', (b: Buffer) => {
    collect(b);
    stdout = (stdout + b.toString()).slice(-maxOutput);
  });
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
    stdout: () => stdout,
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
