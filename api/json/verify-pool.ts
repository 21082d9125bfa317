/**
 * Verification off the event loop: `POST /api/verify` hands each document to a small pool of
 * worker threads (api/json/verify-worker.ts), one job per thread at a time, with a time limit and a
 * heap limit per thread. A document that takes too long or too much memory costs its thread (it
 * is terminated and a fresh one started for the next job), never the API: `/healthz` and every
 * other request keep being answered while a bomb is being refused. Jobs beyond the threads wait
 * in a bounded queue; past it the caller is told to come back (429) instead of piling up memory.
 *
 * A place (thread or queue) is taken only once the request's body is wholly in: a client sending
 * a byte a second holds no place anyone else could use. The bodies being read are bounded by the
 * bytes they hold, all together (a budget, charged as the bytes arrive), not by their number.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerificationReport } from '../../src/signing/index.js';
import type { PdfLimitCode } from '../../src/signing/pdf/limits.js';
import { ApiError } from '../http/errors.js';

export type VerifyKind = 'pdf' | 'xml';

export interface VerifyRequest {
  kind: VerifyKind;
  bytes: ArrayBuffer;
  anchorsPem: string;
}

export type VerifyReply =
  | { ok: true; report: VerificationReport }
  | { ok: false; limit?: { code: PdfLimitCode; status: 413 | 422 }; message: string };

export interface VerifierPoolOptions {
  /** Threads verifying at once (default: one per core but one). */
  workers: number;
  /** Requests admitted beyond the threads (their body in, waiting for a thread) before callers get 429. */
  queueLimit: number;
  /** Time one verification may take, from when its thread picks it up. */
  timeoutMs: number;
  /** V8 heap of each thread (resourceLimits.maxOldGenerationSizeMb). */
  maxHeapMb: number;
  /**
   * Bytes of bodies being read at once, all requests together; past it callers get 429. Default:
   * as many largest bodies as threads and queue hold, so reading adds no more than they do.
   */
  bodyBudgetBytes: number;
}

/** The largest body `POST /api/verify` reads: a signed job of ten 3 MB documents with its pages. */
export const MAX_VERIFY_BYTES = 40 * 1024 * 1024;

export const DEFAULT_VERIFIER_POOL: VerifierPoolOptions = {
  // One core is left to the event loop: verification must never crowd out everyone else.
  workers: Math.max(1, availableParallelism() - 1),
  // Each admitted request may hold its body twice (40 MB read, then handed over): a few at most.
  queueLimit: 4,
  timeoutMs: 20_000,
  maxHeapMb: 256,
  bodyBudgetBytes: (Math.max(1, availableParallelism() - 1) + 4) * MAX_VERIFY_BYTES,
};

const busy = () =>
  new ApiError(429, 'VERIFIER_BUSY', 'too many documents are being verified; try again shortly', [], {
    'Retry-After': '1',
  });

/** A body read under the pool's budget; release() gives its bytes back (once the answer is out). */
export interface HeldBody {
  bytes: ArrayBuffer;
  release(): void;
}

interface Job {
  request: VerifyRequest;
  resolve(report: VerificationReport): void;
  reject(err: unknown): void;
}

/** One thread, its start-up, and the job it is running (if any). */
interface Thread {
  worker: Worker;
  ready: Promise<Worker>;
  /** Settles the job this thread is running. */
  settle?: (reply: VerifyReply | Error) => void;
}

interface Slot {
  thread?: Thread;
  busy: boolean;
}

const tooCostly = (what: string) =>
  new ApiError(422, 'VERIFICATION_TOO_COSTLY', `the document could not be verified: ${what}`);

/**
 * How to start a worker from here: the built .js next to this file, or under tsx (development,
 * tests) the .ts source, with tsx's loader registered in the thread first.
 */
function spawnWorker(heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./verify-worker.js', import.meta.url), { resourceLimits });
  }
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./verify-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, resourceLimits });
}

export class VerifierPool {
  private readonly options: VerifierPoolOptions;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  /** Requests admitted and not yet answered (queued, or being verified). */
  private inside = 0;
  /** Bytes of the bodies being read or held, all requests together. */
  private bodyBytes = 0;

  constructor(options: Partial<VerifierPoolOptions> = {}) {
    const workers = options.workers ?? DEFAULT_VERIFIER_POOL.workers;
    const queueLimit = options.queueLimit ?? DEFAULT_VERIFIER_POOL.queueLimit;
    this.options = {
      ...DEFAULT_VERIFIER_POOL,
      bodyBudgetBytes: (workers + queueLimit) * MAX_VERIFY_BYTES,
      ...options,
    };
    this.slots = Array.from({ length: this.options.workers }, () => ({ busy: false }));
  }

  /** Bytes of request bodies the pool holds now (read or being read). */
  get heldBodyBytes(): number {
    return this.bodyBytes;
  }

  /**
   * Reads a request body chunk by chunk, each charged to the pool's byte budget as it arrives:
   * 413 past `maxBytes`, 429 when the budget is spent (the bytes read so far are given back), 400
   * when the client goes away mid-body. Takes no place in the pool: a slow body waits for nobody.
   */
  async readBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<HeldBody> {
    let held = 0;
    const release = () => {
      this.bodyBytes -= held;
      held = 0;
    };
    const chunks: Uint8Array[] = [];
    const reader = body?.getReader();
    try {
      for (;;) {
        if (!reader) break;
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch {
          throw new ApiError(400, 'BODY_INCOMPLETE', 'the body ended before it was complete');
        }
        if (next.done) break;
        const size = next.value.byteLength;
        if (held + size > maxBytes) {
          throw new ApiError(413, 'BODY_TOO_LARGE', `at most ${maxBytes} bytes`);
        }
        if (this.bodyBytes + size > this.options.bodyBudgetBytes) throw busy();
        this.bodyBytes += size;
        held += size;
        chunks.push(next.value);
      }
    } catch (err) {
      release();
      await reader?.cancel().catch(() => {});
      throw err;
    }
    const whole = new Uint8Array(held);
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.byteLength;
    }
    return { bytes: whole.buffer, release };
  }

  /**
   * Admission of one request whose body is in: the pool's threads plus its queue bound how many
   * wait for a verification. 429 when full; call the returned function when done.
   */
  enter(): () => void {
    if (this.inside >= this.options.workers + this.options.queueLimit) throw busy();
    this.inside++;
    let left = false;
    return () => {
      if (!left) this.inside--;
      left = true;
    };
  }

  /**
   * The report, or an ApiError: a limit (413/422), too costly (422), unreadable (400). `bytes` is
   * handed to the thread without a copy, so it is unusable (detached) afterwards.
   */
  verify(kind: VerifyKind, bytes: ArrayBuffer, anchorsPem: string): Promise<VerificationReport> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { kind, bytes, anchorsPem }, resolve, reject });
      this.pump();
    });
  }

  /** Ends every thread (the pool starts new ones if used again). */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.thread?.worker.terminate()));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = true;
      void this.run(slot, job).finally(() => {
        slot.busy = false;
        this.pump();
      });
    }
  }

  private async run(slot: Slot, job: Job): Promise<void> {
    let thread: Thread;
    try {
      thread = this.threadOf(slot);
      await thread.ready;
    } catch (err) {
      job.reject(err);
      return;
    }
    const reply = await new Promise<VerifyReply | Error>((resolve) => {
      const timer = setTimeout(() => {
        thread.settle = undefined;
        this.discard(slot, thread);
        resolve(tooCostly(`it took longer than ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      thread.settle = (r) => {
        clearTimeout(timer);
        thread.settle = undefined;
        resolve(r);
      };
      thread.worker.postMessage(job.request, [job.request.bytes]);
    });
    if (reply instanceof Error) job.reject(reply);
    else if (reply.ok) job.resolve(reply.report);
    else if (reply.limit) job.reject(new ApiError(reply.limit.status, reply.limit.code, reply.message));
    else {
      // A malformed document is the caller's problem: say so instead of failing with a 500.
      job.reject(
        new ApiError(400, 'UNREADABLE_DOCUMENT', `the document could not be read: ${reply.message}`),
      );
    }
  }

  /** The slot's thread, started (its modules loading) if it has none. */
  private threadOf(slot: Slot): Thread {
    if (slot.thread) return slot.thread;
    const worker = spawnWorker(this.options.maxHeapMb);
    // An idle pool must not keep a process (or a test run) alive.
    worker.unref();
    let started: (w: Worker) => void = () => {};
    let failed: (e: unknown) => void = () => {};
    const thread: Thread = {
      worker,
      ready: new Promise<Worker>((resolve, reject) => {
        started = resolve;
        failed = reject;
      }),
    };
    // Nobody may be waiting yet: a failure to start is reported to the job, not left unhandled.
    thread.ready.catch(() => {});
    worker.on('message', (m: VerifyReply | { ready: true }) => {
      if ('ready' in m) started(worker);
      else thread.settle?.(m);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const failure =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? tooCostly(`it needed more than ${this.options.maxHeapMb} MB of memory`)
          : err;
      failed(failure);
      thread.settle?.(failure);
    });
    worker.on('exit', () => {
      this.discard(slot, thread);
      failed(new Error('the verification thread stopped while starting'));
      thread.settle?.(tooCostly('its verification thread stopped'));
    });
    slot.thread = thread;
    return thread;
  }

  /** Ends a thread that overran or failed; the slot's next job starts a fresh one. */
  private discard(slot: Slot, thread: Thread): void {
    if (slot.thread === thread) slot.thread = undefined;
    void thread.worker.terminate();
  }
}
