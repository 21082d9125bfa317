/**
 * The service PKI in public: the trust anchors validators need, each CA's certificate and CRL
 * (where the Authority Information Access and CRL distribution points of issued certificates
 * point), and the RFC 3161 time-stamping authority over HTTP.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import {
  caCertificate,
  createCrl,
  crlNames,
  type LocalTimeStamper,
  trustAnchorsPem,
} from '../../src/signing/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, errorBody } from '../http/errors.js';
import { BINARY, errors, operation, publicRoute } from './openapi.js';

/** A time-stamp query is a few hundred bytes; refuse anything larger unread. */
const MAX_TSQ_BYTES = 16 * 1024;

const trustAnchorsRoute = publicRoute('PKI', {
  method: 'get',
  path: '/pki/trust-anchors.pem',
  summary: "The root certificates the service's seals, time-stamps and test eID signatures chain to",
  responses: {
    '200': { description: 'PEM certificates.', content: { 'application/x-pem-file': {} } },
    ...errors('429'),
  },
});

const crlRoute = publicRoute('PKI', {
  method: 'get',
  path: '/pki/crl/{file}',
  summary: 'The certificate revocation list of one of the service CAs (root.crl, eid-ca.crl)',
  parameters: [
    {
      name: 'file',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[a-z-]+\\.crl$', example: 'root.crl' },
    },
  ],
  responses: {
    '200': { description: 'DER CRL.', content: { 'application/pkix-crl': {} } },
    ...errors('404', '429'),
  },
});

const caRoute = publicRoute('PKI', {
  method: 'get',
  path: '/pki/ca/{file}',
  summary:
    'The certificate of one of the service CAs (root.cer, eid-ca.cer), where the caIssuers of the certificates it issued point',
  parameters: [
    {
      name: 'file',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[a-z-]+\\.cer$', example: 'root.cer' },
    },
  ],
  responses: {
    '200': { description: 'DER certificate.', content: { 'application/pkix-cert': {} } },
    ...errors('404', '429'),
  },
});

const tsaRoute = publicRoute('PKI', {
  method: 'post',
  path: '/tsa',
  summary: 'RFC 3161 time-stamping authority',
  requestBody: { required: true, content: { 'application/timestamp-query': { schema: BINARY } } },
  responses: {
    '200': { description: 'A time-stamp response.', content: { 'application/timestamp-reply': {} } },
    ...errors('400', '404', '413', '415', '429'),
  },
});

export function pkiRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();

  operation(app, trustAnchorsRoute, (c) => {
    c.header('Content-Type', 'application/x-pem-file');
    c.header('Content-Disposition', 'inline; filename="trust-anchors.pem"');
    return c.body(trustAnchorsPem(deps.signing.pki));
  });

  operation(app, crlRoute, async (c) => {
    const name = c.req.param('file').replace(/\.crl$/, '');
    const known = crlNames(deps.signing.pki).find((n) => n === name);
    if (!known) throw new ApiError(404, 'NOT_FOUND', `no CRL named ${name}`);
    c.header('Content-Type', 'application/pkix-crl');
    // CRLs are re-issued on request with a short validity: caches must not keep them long.
    c.header('Cache-Control', 'max-age=300');
    return c.body(Buffer.from(await createCrl(deps.signing.pki, known)));
  });

  operation(app, caRoute, (c) => {
    const name = c.req.param('file').replace(/\.cer$/, '');
    const certificate = caCertificate(deps.signing.pki, name);
    if (!certificate) throw new ApiError(404, 'NOT_FOUND', `no CA certificate named ${name}`);
    c.header('Content-Type', 'application/pkix-cert');
    c.header('Cache-Control', 'max-age=86400');
    return c.body(Buffer.from(certificate.rawData));
  });

  operation(
    app,
    tsaRoute,
    // Counted while the body streams in: a query over the limit is cut off there, never read whole.
    bodyLimit({
      maxSize: MAX_TSQ_BYTES,
      onError: (c) =>
        c.json(errorBody('BODY_TOO_LARGE', `a time-stamp query has at most ${MAX_TSQ_BYTES} bytes`), 413),
    }),
    async (c) => {
      const timeStamper = deps.signing.timeStamper as Partial<LocalTimeStamper>;
      if (!timeStamper.handleTimeStampRequest) {
        throw new ApiError(404, 'NOT_FOUND', 'this service uses an outside time-stamping authority');
      }
      if (!/^application\/timestamp-query\b/i.test(c.req.header('content-type') ?? '')) {
        throw new ApiError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'send an RFC 3161 query as application/timestamp-query',
        );
      }
      const tsq = new Uint8Array(await c.req.arrayBuffer());
      if (tsq.byteLength === 0 || tsq.byteLength > MAX_TSQ_BYTES) {
        throw new ApiError(
          400,
          'INVALID_TIMESTAMP_QUERY',
          `a time-stamp query has 1 to ${MAX_TSQ_BYTES} bytes`,
        );
      }
      c.header('Content-Type', 'application/timestamp-reply');
      return c.body(Buffer.from(await timeStamper.handleTimeStampRequest(tsq)));
    },
  );

  return app;
}
