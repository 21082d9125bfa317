/**
 * `POST /api/verify`: a validation report of every signature in a PDF (seal, document
 * time-stamps, attached XAdES) or in a XAdES document, built on the same code that makes them.
 * The verification itself runs in a worker thread (api/json/verify-pool.ts) under the PDF limits, so a
 * hostile document is refused with a 4xx naming the limit while the API answers everyone else.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { trustAnchorsPem } from '../../src/signing/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, errorBody } from '../http/errors.js';
import { BINARY, errors, operation, publicRoute } from './openapi.js';
import { MAX_VERIFY_BYTES, VerifierPool, type VerifyKind } from './verify-pool.js';

/** The verifier pool the configuration describes (unset values: the pool's defaults). */
export function verifierPoolFromConfig(config: ApiDeps['config']): VerifierPool {
  return new VerifierPool({
    ...(config.VERIFY_WORKERS ? { workers: config.VERIFY_WORKERS } : {}),
    ...(config.VERIFY_QUEUE_LIMIT !== undefined ? { queueLimit: config.VERIFY_QUEUE_LIMIT } : {}),
    ...(config.VERIFY_TIMEOUT_MS ? { timeoutMs: config.VERIFY_TIMEOUT_MS } : {}),
    ...(config.VERIFY_MAX_HEAP_MB ? { maxHeapMb: config.VERIFY_MAX_HEAP_MB } : {}),
  });
}

/** What the body is, from its first KB: a PDF, an XML document, or neither. */
function kindOf(bytes: Uint8Array): VerifyKind | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (/^\s*(<\?xml|<)/.test(head)) return 'xml';
  return undefined;
}

const verifyRoute = publicRoute('Verification', {
  method: 'post',
  path: '/api/verify',
  summary: 'A validation report of every signature in a PDF or a XAdES document',
  // An empty body is refused (400 EMPTY_BODY): at least one byte.
  requestBody: {
    required: true,
    content: {
      'application/pdf': { schema: { ...BINARY, minLength: 1 } },
      'application/xml': { schema: { type: 'string', minLength: 1 } },
    },
  },
  responses: {
    '200': {
      description:
        'The report: each signature with who, when, valid, trusted and why not; a XAdES with its baseline `level` (B-B, B-T, B-LT, or B-LTA with the number of `archiveTimeStamps` checked).',
    },
    ...errors('400', '413', '415', '422', '429'),
  },
});

export function verifyRoutes(deps: ApiDeps, pool: VerifierPool = verifierPoolFromConfig(deps.config)) {
  const app = new OpenAPIHono();
  operation(
    app,
    verifyRoute,
    // A Content-Length over the limit is refused before a byte is read.
    bodyLimit({
      maxSize: MAX_VERIFY_BYTES,
      onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `at most ${MAX_VERIFY_BYTES} bytes`), 413),
    }),
    async (c) => {
      // The body first, under the pool's byte budget (and the server's minimum transfer rate);
      // a place in the pool only once it is in, so slow uploads hold no place.
      const body = await pool.readBody(c.req.raw.body, MAX_VERIFY_BYTES);
      try {
        const bytes = new Uint8Array(body.bytes);
        if (bytes.byteLength === 0)
          throw new ApiError(400, 'EMPTY_BODY', 'send a PDF or a XAdES document as the body');
        const kind = kindOf(bytes);
        if (!kind) {
          throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body is neither a PDF nor an XML document');
        }
        // No signature format uses a DTD; refusing one here keeps entity tricks (external
        // entities, billion laughs) away from every XML parser behind this endpoint.
        if (
          kind === 'xml' &&
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes('<!DOCTYPE')
        ) {
          throw new ApiError(400, 'XML_DTD_NOT_ALLOWED', 'the XML document has a DOCTYPE; XAdES has none');
        }
        const leave = pool.enter();
        try {
          // The service's roots, and the CAs of the remote signing services people sign with.
          const anchors = `${trustAnchorsPem(deps.signing.pki)}\n${deps.signingKeys.trustAnchorsPem ?? ''}`;
          return c.json(await pool.verify(kind, body.bytes, anchors));
        } finally {
          leave();
        }
      } finally {
        body.release();
      }
    },
  );
  return app;
}
