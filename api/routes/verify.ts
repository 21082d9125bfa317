/**
 * `POST /api/verify`: a validation report of every signature in a PDF (seal, document
 * time-stamps, attached XAdES) or in a XAdES document, built on the same code that makes them.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { trustAnchorsPem, verifyPdfSignatures, verifyXades } from '../../src/signing/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, errorBody } from '../errors.js';

/** A signed job holds at most ten 3 MB documents plus signature pages and XAdES. */
const MAX_VERIFY_BYTES = 40 * 1024 * 1024;

export function verifyRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.post(
    '/api/verify',
    bodyLimit({
      maxSize: MAX_VERIFY_BYTES,
      onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `at most ${MAX_VERIFY_BYTES} bytes`), 413),
    }),
    async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.byteLength === 0)
        throw new ApiError(400, 'EMPTY_BODY', 'send a PDF or a XAdES document as the body');
      const anchors = trustAnchorsPem(deps.signing.pki);
      const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
      try {
        if (head.includes('%PDF-')) return c.json(await verifyPdfSignatures(bytes, anchors));
        if (/^\s*(<\?xml|<)/.test(head)) return c.json(await verifyXades(bytes, anchors));
      } catch (err) {
        // A malformed document is the caller's problem: say so instead of failing with a 500.
        throw new ApiError(
          400,
          'UNREADABLE_DOCUMENT',
          `the document could not be read: ${(err as Error).message}`,
        );
      }
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body is neither a PDF nor an XML document');
    },
  );
  return app;
}
