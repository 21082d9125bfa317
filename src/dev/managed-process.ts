/**
 * A long-running child process of a local stack (a Temporal service, a worker, an API process):
 * its output goes to a log file and the last part is kept for error messages; it can be stopped
 * politely or killed like a lost machine, and started again with the same command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ManagedProcess {
  readonly name: string;
  /** The current child (a new one after `start()`). */
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last part of its output, stdout and stderr. */
  output(): string;
  running(): boolean;
  /** Resolves when the current child has exited. */
  exited(): Promise<void>;
  /** SIGKILL: no shutdown hook runs. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Starts the command again (after a kill or stop). */
  start(): void;
}

export interface Command {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Appended to, across restarts. */
  logFile?: string;
}

export function startManagedProcess(opts: Command): ManagedProcess {
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  let output = '';
  let child!: ChildProcess;
  let exited!: Promise<void>;
  const launch = () => {
    log?.write(`--- ${new Date().toISOString()} ${opts.name} starts\n`);
    child = spawn(opts.command, opts.args, {
      env: opts.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches the launcher, which stops the
      // children in order (the API before the database it writes to).
      detached: true,
    });
    const collect = (b: Buffer) => {
      output = (output + b.toString()).slice(-8000);
      log?.write(b);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
  };
  launch();
  const alive = () => child.exitCode === null && child.signalCode === null;
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (!alive()) return;
    child.kill(sig);
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  };
  return {
    name: opts.name,
    get child() {
      return child;
    },
    get pid() {
      return child.pid ?? -1;
    },
    output: () => output,
    running: alive,
    exited: () => exited,
    kill: () => signal('SIGKILL', 0),
    stop: (graceMs = 15_000) => signal('SIGTERM', graceMs),
    start() {
      if (alive()) throw new Error(`${opts.name} is still running`);
      launch();
    },
  };
}

/** Runs a one-shot command to its end; rejects with its output when it exits non-zero. */
export function runToEnd(opts: Command, signal?: AbortSignal): Promise<string> {
  const p = startManagedProcess(opts);
  // Given up on (Ctrl-C while starting): the one-shot is stopped too.
  const abort = () => void p.stop(5000);
  signal?.addEventListener('abort', abort, { once: true });
  return p.exited().then(() => {
    signal?.removeEventListener('abort', abort);
    if (p.child.exitCode === 0) return p.output();
    throw new Error(`${opts.name} failed (exit ${p.child.exitCode ?? p.child.signalCode}):\n${p.output()}`);
  });
}
