/**
 * The worker thread behind `POST /api/verify` (api/json/verify-pool.ts): verifies one document at a
 * time, off the API's event loop, under the PDF limits. Replies with the report or with what
 * went wrong; never throws past the message handler, so one bad document cannot end the thread.
 */
import { parentPort } from 'node:worker_threads';
import { verifyPdfSignatures, verifyXades } from '../../src/signing/index.js';
import { PdfLimitError, withPdfLimits } from '../../src/signing/pdf/limits.js';
import { PdfReader } from '../../src/signing/pdf/reader.js';
import type { VerifyReply, VerifyRequest } from './verify-pool.js';

const port = parentPort;
if (!port) throw new Error('api/json/verify-worker.ts runs as a worker thread');

port.on('message', async (req: VerifyRequest) => {
  let reply: VerifyReply;
  try {
    const bytes = new Uint8Array(req.bytes);
    const report = await withPdfLimits(async () => {
      if (req.kind === 'xml') return verifyXades(bytes, req.anchorsPem);
      // A file whose cross-references cannot be read (truncated, not a PDF) is refused as such,
      // rather than reported on as a PDF without signatures.
      PdfReader.open(bytes);
      return verifyPdfSignatures(bytes, req.anchorsPem);
    });
    reply = { ok: true, report };
  } catch (err) {
    reply =
      err instanceof PdfLimitError
        ? { ok: false, limit: { code: err.code, status: err.status }, message: err.message }
        : { ok: false, message: String((err as Error)?.message ?? err) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
