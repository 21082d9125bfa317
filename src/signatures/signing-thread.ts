/**
 * A thread of the signing pool (./signing-pool.ts): packages jobs and renews archive time-stamps
 * off the worker's event loop. It loads the same signing material as the process that started it
 * (the PKI from its directory, the same time-stamping authority), once, and then runs one task at
 * a time. Never throws past the message handler: a task that fails is answered with its error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  DocumentUnprocessableError,
  PackagingInputError,
  packageJob,
  renewArchiveTimeStamp,
} from '../signing/index.js';
import { createSigningContext, type SigningContext } from './context.js';
import type { SigningTask, SigningThreadData, SigningThreadReply, ThreadError } from './signing-pool.js';

const port = parentPort;
if (!port) throw new Error('src/signatures/signing-thread.ts runs as a worker thread');
const { context: options } = workerData as SigningThreadData;

let context: Promise<SigningContext> | undefined;
const signing = () => {
  context ??= createSigningContext(options);
  return context;
};

/** Owned bytes go back without a copy; a view into a larger buffer is copied first. */
function transferable(bytes: Uint8Array): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  const whole =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer;
  const own = whole ? bytes : bytes.slice();
  return { bytes: own, transfer: [own.buffer as ArrayBuffer] };
}

function describe(err: unknown): ThreadError {
  if (err instanceof DocumentUnprocessableError)
    return {
      kind: 'DocumentUnprocessable',
      message: err.message,
      fileName: err.fileName,
      reason: err.reason,
    };
  if (err instanceof PackagingInputError) return { kind: 'PackagingInput', message: err.message };
  const e = err as Error | undefined;
  return { kind: 'Error', message: String(e?.message ?? err), name: e?.name ?? 'Error' };
}

async function run(task: SigningTask): Promise<{ reply: SigningThreadReply; transfer: ArrayBuffer[] }> {
  const { pki, timeStamper } = await signing();
  if (task.kind === 'package') {
    const packaged = await packageJob({ ...task.input, pki, timeStamper });
    const { bytes, transfer } = transferable(packaged.pdf);
    return {
      reply: { id: task.id, ok: true, kind: 'package', result: { ...packaged, pdf: bytes } },
      transfer,
    };
  }
  const renewed = await renewArchiveTimeStamp(task.pdf, {
    pki,
    timeStamper,
    ...(task.now ? { now: task.now } : {}),
  });
  const { bytes, transfer } = transferable(renewed);
  return { reply: { id: task.id, ok: true, kind: 'renewArchive', result: bytes }, transfer };
}

port.on('message', async (task: SigningTask) => {
  try {
    const { reply, transfer } = await run(task);
    port.postMessage(reply, transfer);
  } catch (err) {
    port.postMessage({ id: task.id, ok: false, error: describe(err) } satisfies SigningThreadReply);
  }
});
port.postMessage({ ready: true });
