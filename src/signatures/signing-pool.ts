/**
 * The CPU-bound signing work of the worker (a job's PAdES packaging, an archive time-stamp's
 * renewal: PDF parsing and writing, hashing, signing) in a pool of worker threads
 * (./signing-thread.ts). A 3 MB, 10-signer packaging takes a few hundred milliseconds of CPU; on
 * the event loop it held up the worker's heartbeats, notices and workflow tasks for as long, and
 * one worker process used one core. Here each thread runs one task at a time, tasks beyond the
 * threads wait in order, and the event loop only copies the bytes in and takes the result back
 * (transferred, not copied).
 *
 * Memory stays bounded: threads are `threads` at most (SIGNING_THREADS), each with a V8 heap cap,
 * and a waiting task holds only the bytes its activity already held. A task that overruns its time
 * costs its thread (terminated; the next task starts a fresh one) and fails as an ordinary,
 * retryable error. The results are those of the same functions run in the process: the thread
 * loads the same PKI and time-stamping authority from the same options.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  DocumentUnprocessableError,
  type PackagedJob,
  PackagingInputError,
  type SealedPadesInput,
} from '../signing/index.js';
import type { SigningContextOptions } from './context.js';

/** What packageJob takes, less the signing material (the thread has its own). */
export type PoolPackagingInput = Omit<SealedPadesInput, 'pki' | 'timeStamper'>;

export type SigningTask =
  | { id: number; kind: 'package'; input: PoolPackagingInput }
  | { id: number; kind: 'renewArchive'; pdf: Uint8Array; now?: Date };

export type ThreadError =
  | { kind: 'DocumentUnprocessable'; message: string; fileName: string; reason: string }
  | { kind: 'PackagingInput'; message: string }
  | { kind: 'Error'; message: string; name: string };

export type SigningThreadReply =
  | { id: number; ok: true; kind: 'package'; result: PackagedJob }
  | { id: number; ok: true; kind: 'renewArchive'; result: Uint8Array }
  | { id: number; ok: false; error: ThreadError };

export interface SigningThreadData {
  context: SigningContextOptions;
}

export interface SigningPoolOptions {
  /** Threads running tasks at once (SIGNING_THREADS). */
  threads: number;
  /** Time one task may take once a thread has it; past it the thread is ended and the task fails. */
  timeoutMs: number;
  /** V8 heap of each thread (resourceLimits.maxOldGenerationSizeMb). */
  maxHeapMb: number;
  /** A thread idle this long is ended, giving its memory back (the next task starts one again). */
  idleMs: number;
}

export const DEFAULT_SIGNING_POOL: SigningPoolOptions = {
  // Every core, at most four: a packaging's thread holds some 100-200 MB while it runs.
  threads: Math.max(1, Math.min(4, availableParallelism())),
  timeoutMs: 120_000,
  maxHeapMb: 1024,
  // Packagings come in bursts (a batch of jobs completing); between them a worker holding open
  // jobs should not also hold a warm thread's heap.
  idleMs: 60_000,
};

/** Rebuilds in this thread the error the task failed with, so callers' `instanceof` still holds. */
function errorOf(e: ThreadError): Error {
  if (e.kind === 'DocumentUnprocessable') return new DocumentUnprocessableError(e.fileName, e.reason);
  if (e.kind === 'PackagingInput') return new PackagingInputError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * How to start a thread from here: the built .js next to this file, or under tsx (development,
 * tests) the .ts source with tsx's loader registered in the thread first.
 */
function spawnThread(data: SigningThreadData, heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64 };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./signing-thread.js', import.meta.url), { resourceLimits, workerData: data });
  }
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./signing-thread.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, resourceLimits, workerData: data });
}

type Task = SigningTask extends infer T ? (T extends SigningTask ? Omit<T, 'id'> : never) : never;

interface Waiting {
  task: Task;
  resolve(reply: SigningThreadReply & { ok: true }): void;
  reject(err: Error): void;
}

interface Slot {
  thread?: Thread;
  busy: boolean;
  /** Ends the slot's thread once it has been idle for idleMs. */
  idleTimer?: NodeJS.Timeout;
}

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  /** Settles the task this thread runs. */
  settle?: (reply: SigningThreadReply | Error) => void;
}

export class SigningPool {
  private readonly options: SigningPoolOptions;
  private readonly slots: Slot[];
  private readonly queue: Waiting[] = [];
  private nextId = 1;

  constructor(
    private readonly context: SigningContextOptions,
    options: Partial<SigningPoolOptions> = {},
  ) {
    this.options = { ...DEFAULT_SIGNING_POOL, ...options };
    this.slots = Array.from({ length: this.options.threads }, () => ({ busy: false }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Threads started and not yet ended (idle ones end after idleMs). */
  get threadsRunning(): number {
    return this.slots.filter((s) => s.thread).length;
  }

  /** packageJob (src/signing/package-job.ts) in a thread. */
  async packageJob(input: PoolPackagingInput): Promise<PackagedJob> {
    const reply = await this.submit({ kind: 'package', input });
    if (reply.kind !== 'package') throw new Error('the signing thread answered another task');
    return reply.result;
  }

  /** renewArchiveTimeStamp (src/signing/package-job.ts) in a thread. */
  async renewArchiveTimeStamp(pdf: Uint8Array, now?: Date): Promise<Uint8Array> {
    const reply = await this.submit({ kind: 'renewArchive', pdf, ...(now ? { now } : {}) });
    if (reply.kind !== 'renewArchive') throw new Error('the signing thread answered another task');
    return reply.result;
  }

  /** Ends every thread (the pool starts new ones if used again). */
  async close(): Promise<void> {
    for (const s of this.slots) clearTimeout(s.idleTimer);
    await Promise.all(this.slots.map((s) => s.thread?.worker.terminate()));
  }

  private submit(task: Task): Promise<SigningThreadReply & { ok: true }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const waiting = this.queue.shift();
      if (!waiting) return;
      slot.busy = true;
      clearTimeout(slot.idleTimer);
      void this.run(slot, waiting).finally(() => {
        slot.busy = false;
        this.pump();
        if (!slot.busy && slot.thread) {
          const idle = slot.thread;
          slot.idleTimer = setTimeout(() => this.discard(slot, idle), this.options.idleMs);
          slot.idleTimer.unref();
        }
      });
    }
  }

  private async run(slot: Slot, waiting: Waiting): Promise<void> {
    let thread: Thread;
    try {
      thread = this.threadOf(slot);
      await thread.ready;
    } catch (err) {
      waiting.reject(err as Error);
      return;
    }
    const reply = await new Promise<SigningThreadReply | Error>((resolve) => {
      const timer = setTimeout(() => {
        thread.settle = undefined;
        this.discard(slot, thread);
        resolve(new Error(`the signing task took longer than ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      thread.settle = (r) => {
        clearTimeout(timer);
        thread.settle = undefined;
        resolve(r);
      };
      // A busy thread keeps the process alive (the result is awaited); an idle one does not.
      thread.worker.ref();
      thread.worker.postMessage({ ...waiting.task, id: this.nextId++ } as SigningTask);
    });
    thread.worker.unref();
    if (reply instanceof Error) waiting.reject(reply);
    else if (reply.ok) waiting.resolve(reply);
    else waiting.reject(errorOf(reply.error));
  }

  private threadOf(slot: Slot): Thread {
    if (slot.thread) return slot.thread;
    const worker = spawnThread({ context: this.context }, this.options.maxHeapMb);
    worker.unref();
    let started: () => void = () => {};
    let failed: (e: Error) => void = () => {};
    const thread: Thread = {
      worker,
      ready: new Promise<void>((resolve, reject) => {
        started = resolve;
        failed = reject;
      }),
    };
    // Nobody may be waiting yet: a failure to start is reported to the task, not left unhandled.
    thread.ready.catch(() => {});
    worker.on('message', (m: SigningThreadReply | { ready: true }) => {
      if ('ready' in m) started();
      else thread.settle?.(m);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const failure =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new Error(`the signing task needed more than ${this.options.maxHeapMb} MB of memory`)
          : err;
      failed(failure);
      thread.settle?.(failure);
    });
    worker.on('exit', () => {
      this.discard(slot, thread);
      failed(new Error('the signing thread stopped while starting'));
      thread.settle?.(new Error('the signing thread stopped'));
    });
    slot.thread = thread;
    return thread;
  }

  /** Ends a thread that overran or failed; the slot's next task starts a fresh one. */
  private discard(slot: Slot, thread: Thread): void {
    if (slot.thread === thread) slot.thread = undefined;
    void thread.worker.terminate();
  }
}
