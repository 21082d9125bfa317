/**
 * The OpenAPI 3.1 document of the service, generated from the zod schemas the code validates
 * with (src/job/schema.ts for the job, ./schemas.ts for the rest). Paths are listed here; a test
 * checks that every route of the app appears, so a new endpoint cannot go undocumented.
 */
import { z } from 'zod';
import { directJobRequestSchema, jobRequestSchema, portalJobRequestSchema } from '../src/job/schema.js';
import {
  deadlineRequestSchema,
  deadlineViewSchema,
  devRejectRequestSchema,
  devSignerResultSchema,
  devSignRequestSchema,
  errorResponseSchema,
  healthViewSchema,
  jobViewSchema,
  MAX_REDELIVER_CHANGE,
  MAX_STATUS_QUERY_TOKEN_LENGTH,
  pollingQueueSchema,
  redirectUrlViewSchema,
  statusChangeViewSchema,
} from './schemas.js';

type Json = Record<string, unknown>;

/** The request bodies: what the code reads (answers may quote input, a parser's message say). */
const REQUEST_COMPONENTS = new Set([
  'JobRequest',
  'DirectJobRequest',
  'PortalJobRequest',
  'DeadlineRequest',
  'DevSignRequest',
  'DevRejectRequest',
]);

const COMPONENTS: Record<string, z.ZodType> = {
  JobRequest: jobRequestSchema,
  DirectJobRequest: directJobRequestSchema,
  PortalJobRequest: portalJobRequestSchema,
  Job: jobViewSchema,
  StatusChange: statusChangeViewSchema,
  DeadlineRequest: deadlineRequestSchema,
  Deadline: deadlineViewSchema,
  RedirectUrl: redirectUrlViewSchema,
  DevSignRequest: devSignRequestSchema,
  DevRejectRequest: devRejectRequestSchema,
  DevSignerResult: devSignerResultSchema,
  Health: healthViewSchema,
  Error: errorResponseSchema,
};

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  // Each comes as a standalone JSON Schema document; inside OpenAPI these keys only confuse tools.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...rest }]) => [
      id,
      REQUEST_COMPONENTS.has(id) ? withStorableStrings(rest as Json) : (rest as Json),
    ]),
  );
}

/**
 * Every JSON request body is refused with 400 when a string in it holds a NUL character, which PostgreSQL
 * cannot store (src/rules/storable-text.ts); free-text strings say so with a pattern. Strings
 * with a pattern, format or fixed values of their own exclude NUL already.
 */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

function withStorableStrings(schema: Json): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)])) as Json;
    const free = !('pattern' in out || 'format' in out || 'enum' in out || 'const' in out);
    if (out.type === 'string' && free) out.pattern = NO_NUL_PATTERN;
    return out;
  };
  return walk(schema) as Json;
}

const ref = (id: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: keyof typeof COMPONENTS) => ({ 'application/json': { schema: ref(id) } });

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input; `details` names each field.',
  '401': 'No valid API key or client certificate.',
  '403': 'The credentials belong to another organisation.',
  '404': 'No such job (or it belongs to another organisation).',
  '409': 'Not allowed in the job’s current state.',
  '413':
    'The body is too large, or a PDF (being verified, or a job document) decodes to too much; `code` names the limit.',
  '415': 'The body is not of a supported media type.',
  '422':
    'A PDF (being verified, or a job document) breaks a structural limit (nesting, objects, pages, a reference loop) or costs too much to verify; `code` names it.',
  '429':
    'Rate limit (per organisation, or per client address on public endpoints), or the verifier is busy; see Retry-After.',
};

function errors(...statuses: string[]): Json {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: ERROR_DESCRIPTIONS[s], content: json('Error') }]),
  );
}

/** The errors any authenticated sender request can meet (every body passes the size limit). */
const SENDER_ERRORS = ['401', '403', '404', '413', '429'];

const pathParam = (name: string, description: string, schema: Json = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const ORG = pathParam('org', 'The sender’s organisation number (9 digits).', {
  type: 'string',
  pattern: '^[0-9]{9}$',
});
const FLOW = pathParam('flow', 'direct or portal', { type: 'string', enum: ['direct', 'portal'] });
const JOB_ID = pathParam('id', 'The job id.');
const SIGNER_ID = pathParam('signerId', 'The signer id.');

function senderOperation(summary: string, parameters: Json[], responses: Json, extra: Json = {}): Json {
  return {
    tags: ['Sender API'],
    summary,
    parameters,
    security: [{ apiKey: [] }, { enterpriseCertificate: [] }],
    responses: { ...responses, ...errors(...SENDER_ERRORS) },
    ...extra,
  };
}

const noContent = (description: string) => ({ description });
const BINARY = { type: 'string', format: 'binary' };
/** The file part the job examples (src/job/schema.ts) list as their document. */
const EXAMPLE_DOCUMENT_PART = 'contract.pdf';

/**
 * Create and poll, once per flow: each flow's create takes only its own job schema (a portal
 * field in a direct job is refused, so one schema for both would promise what the code refuses).
 */
function jobsPaths(flow: 'direct' | 'portal'): Json {
  const jobSchema = flow === 'direct' ? ref('DirectJobRequest') : ref('PortalJobRequest');
  return {
    post: senderOperation(
      `Create a ${flow} signature job`,
      [
        ORG,
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'A retry with the same key and body answers 200 with the first job; another body with the same key is 409.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
      ],
      {
        '201': { description: 'Created.', content: json('Job') },
        '200': {
          description: 'A retry with the same Idempotency-Key: the same job.',
          content: json('Job'),
        },
        ...errors('400', '409', '422'),
      },
      {
        description:
          'Multipart body: the part `job` (application/json) and one file part per document, named by its `fileName` (in Try it out: pick a PDF for `contract.pdf`, the example’s document). Direct signers get a one-time `redirectUrl`. A PDF is read within the same limits as by `/api/verify`: one that breaks one is refused with 413 or 422 and the limit as `code`.',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['job'],
                properties: {
                  job: jobSchema,
                  // A named file field, so Swagger UI's "Try it out" offers a file picker for the
                  // example's document; any other document comes as a part named by its fileName.
                  [EXAMPLE_DOCUMENT_PART]: {
                    ...BINARY,
                    description: `The document of the example \`job\` (fileName \`${EXAMPLE_DOCUMENT_PART}\`). Each document is a file part named by its \`fileName\`.`,
                  },
                },
                additionalProperties: BINARY,
              },
              encoding: { job: { contentType: 'application/json' } },
            },
          },
        },
      },
    ),
    get: senderOperation(
      `Take the next change of a status queue (${flow} jobs)`,
      [
        ORG,
        { name: 'polling_queue', in: 'query', required: false, schema: z.toJSONSchema(pollingQueueSchema) },
      ],
      {
        '200': {
          description:
            'The oldest unconfirmed change, now hidden from other pollers for 10 minutes unless confirmed.',
          headers: { 'X-Next-permitted-poll-time': { schema: { type: 'string', format: 'date-time' } } },
          content: json('StatusChange'),
        },
        '204': {
          description: 'The queue is empty; poll again no earlier than X-Next-permitted-poll-time.',
          headers: { 'X-Next-permitted-poll-time': { schema: { type: 'string', format: 'date-time' } } },
        },
        ...errors('400'),
      },
      { description: 'A 429 also answers polling an empty queue before X-Next-permitted-poll-time.' },
    ),
  };
}

function senderPaths(): Json {
  const jobs = '/api/{org}/{flow}/signature-jobs';
  const job = `${jobs}/{id}`;
  return {
    '/api/{org}/direct/signature-jobs': jobsPaths('direct'),
    '/api/{org}/portal/signature-jobs': jobsPaths('portal'),
    [job]: {
      get: senderOperation('Read a job', [ORG, FLOW, JOB_ID], {
        '200': { description: 'The job.', content: json('Job') },
      }),
    },
    '/api/{org}/direct/signature-jobs/{id}/status': {
      get: senderOperation(
        'Read a direct job’s status with the signer’s status_query_token',
        [
          ORG,
          JOB_ID,
          {
            name: 'status_query_token',
            in: 'query',
            required: true,
            // Tokens the service hands out are far shorter; a longer one is refused unread (403).
            schema: { type: 'string', minLength: 1, maxLength: MAX_STATUS_QUERY_TOKEN_LENGTH },
          },
        ],
        { '200': { description: 'The job.', content: json('Job') }, ...errors('400') },
        {
          description: '403 for a wrong token; 404 SIGNING_CEREMONY_NOT_COMPLETED before the signer is done.',
        },
      ),
    },
    [`${job}/complete`]: {
      post: senderOperation(
        'Confirm a status change',
        [
          ORG,
          FLOW,
          JOB_ID,
          {
            name: 'change',
            in: 'query',
            required: false,
            description:
              'The change to confirm (the confirmUrl carries it); without it, every handed-out change of the job.',
            schema: { type: 'string', pattern: '^[0-9]{1,18}$' },
          },
        ],
        { '204': noContent('Confirmed; the change leaves the queue.') },
      ),
    },
    '/api/{org}/portal/signature-jobs/{id}/cancel': {
      post: senderOperation('Cancel a portal job', [ORG, JOB_ID], {
        '204': noContent('Cancelled.'),
        ...errors('409'),
      }),
    },
    '/api/{org}/portal/signature-jobs/{id}/deadline': {
      post: senderOperation(
        'Extend the active group’s deadline',
        [ORG, JOB_ID],
        {
          '200': { description: 'The group with its new deadline.', content: json('Deadline') },
          ...errors('400', '409'),
        },
        { requestBody: { required: true, content: json('DeadlineRequest') } },
      ),
    },
    '/api/{org}/direct/signature-jobs/{id}/signers/{signerId}/redirect-url': {
      post: senderOperation('A new one-time redirect URL for a direct signer', [ORG, JOB_ID, SIGNER_ID], {
        '200': { description: 'The new URL; earlier ones stop working.', content: json('RedirectUrl') },
        ...errors('409'),
      }),
    },
    [`${job}/pades`]: {
      get: senderOperation('Download the signed PDF (PAdES)', [ORG, FLOW, JOB_ID], {
        '200': {
          description: 'The sealed PDF.',
          content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
        },
      }),
    },
    [`${job}/signers/{signerId}/xades`]: {
      get: senderOperation('Download a signer’s XAdES', [ORG, FLOW, JOB_ID, SIGNER_ID], {
        '200': {
          description: 'The XAdES signature.',
          content: { 'application/xml': { schema: { type: 'string' } } },
        },
      }),
    },
    [`${job}/callbacks`]: {
      get: senderOperation(
        'The delivery log of the job’s callbacks: every attempt and its answer',
        [ORG, FLOW, JOB_ID],
        {
          '200': {
            description:
              '`{jobId, deliveries: [{changeSeq, url, attempt, statusCode, error, durationMs, at}]}`.',
          },
        },
      ),
    },
    [`${job}/callbacks/redeliver`]: {
      post: senderOperation(
        'Deliver a status change to the callback URL again (default: the newest change)',
        [
          ORG,
          FLOW,
          JOB_ID,
          {
            name: 'change',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 0, maximum: MAX_REDELIVER_CHANGE },
          },
        ],
        {
          '200': { description: '`{delivered, change, error?}`; the attempt is in the delivery log.' },
          ...errors('400', '409'),
        },
      ),
    },
    [`${job}/documents`]: {
      delete: senderOperation('Delete the documents of an ended job', [ORG, FLOW, JOB_ID], {
        '202': noContent('The job’s workflow deletes documents and results moments later.'),
        ...errors('409'),
      }),
    },
  };
}

function publicPaths(): Json {
  return {
    '/healthz': {
      get: {
        tags: ['Service'],
        summary: 'Health of the API, its database and Temporal',
        responses: {
          '200': { description: 'All up.', content: json('Health') },
          '503': { description: 'Something is down.', content: json('Health') },
        },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['Service'],
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1.' } },
      },
    },
    '/docs': {
      get: {
        tags: ['Service'],
        summary: 'Interactive documentation',
        responses: { '200': { description: 'HTML.' } },
      },
    },
    '/metrics': {
      get: {
        tags: ['Service'],
        summary: 'Prometheus metrics of this API process',
        responses: { '200': { description: 'Prometheus text exposition.' } },
      },
    },
    '/pki/trust-anchors.pem': {
      get: {
        tags: ['PKI'],
        summary: "The root certificates the service's seals, time-stamps and test eID signatures chain to",
        responses: {
          '200': { description: 'PEM certificates.', content: { 'application/x-pem-file': {} } },
          ...errors('429'),
        },
      },
    },
    '/pki/crl/{file}': {
      get: {
        tags: ['PKI'],
        summary: 'The certificate revocation list of one of the service CAs (root.crl, eid-ca.crl)',
        parameters: [
          { name: 'file', in: 'path', required: true, schema: { type: 'string', example: 'root.crl' } },
        ],
        responses: {
          '200': { description: 'DER CRL.', content: { 'application/pkix-crl': {} } },
          ...errors('404', '429'),
        },
      },
    },
    '/pki/ca/{file}': {
      get: {
        tags: ['PKI'],
        summary:
          'The certificate of one of the service CAs (root.cer, eid-ca.cer), where the caIssuers of the certificates it issued point',
        parameters: [
          { name: 'file', in: 'path', required: true, schema: { type: 'string', example: 'root.cer' } },
        ],
        responses: {
          '200': { description: 'DER certificate.', content: { 'application/pkix-cert': {} } },
          ...errors('404', '429'),
        },
      },
    },
    '/tsa': {
      post: {
        tags: ['PKI'],
        summary: 'RFC 3161 time-stamping authority',
        requestBody: { required: true, content: { 'application/timestamp-query': { schema: BINARY } } },
        responses: {
          '200': { description: 'A time-stamp response.', content: { 'application/timestamp-reply': {} } },
          ...errors('400', '404', '413', '415', '429'),
        },
      },
    },
    '/api/verify': {
      post: {
        tags: ['Verification'],
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
      },
    },
  };
}

function devPaths(): Json {
  const signerPath = '/api/dev/signature-jobs/{id}/signers/{signerId}';
  const devOperation = (summary: string, body: keyof typeof COMPONENTS) => ({
    tags: ['Development mode'],
    summary,
    parameters: [JOB_ID, SIGNER_ID],
    requestBody: { required: false, content: json(body) },
    responses: {
      '200': { description: 'The signer’s new status.', content: json('DevSignerResult') },
      ...errors('400', '404', '409', '413'),
    },
  });
  return {
    '/api/dev/sample.pdf': {
      get: {
        tags: ['Development mode'],
        summary: 'A one-page sample PDF to create a job with',
        responses: { '200': { description: 'The PDF.', content: { 'application/pdf': { schema: BINARY } } } },
      },
    },
    [`${signerPath}/sign`]: { post: devOperation('Sign as the signer (test eID)', 'DevSignRequest') },
    [`${signerPath}/reject`]: { post: devOperation('Reject as the signer', 'DevRejectRequest') },
  };
}

export function buildOpenApiDocument(opts: { publicUrl: string; includeDevEndpoints: boolean }): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'E-signing sender API',
      version: '1',
      description:
        'Signature jobs in the direct and portal flows, modelled on the Norwegian national e-signing service. Errors: `{"error": {"code", "message", "details"}}`. At most 10 requests per second per organisation; beyond that 429 and a 30-second block.',
    },
    servers: [{ url: opts.publicUrl }],
    paths: { ...senderPaths(), ...publicPaths(), ...(opts.includeDevEndpoints ? devPaths() : {}) },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key made with the admin CLI.' },
        enterpriseCertificate: {
          type: 'mutualTLS',
          description:
            'An enterprise certificate with the organisation number (serialNumber or NTRNO-<number>).',
        },
      },
    },
  };
}
