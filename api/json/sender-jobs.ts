/** The sender API's job resources: create, read, and the direct flow's status by token. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Flow } from '../../src/job/model.js';
import { directJobRequestSchema, portalJobRequestSchema } from '../../src/job/schema.js';
import { createSignatureJob } from '../../src/services/create-job.js';
import { issueRedirectUrls } from '../../src/services/direct-signers.js';
import { directStatusForToken } from '../../src/services/direct-status.js';
import { getSignatureJob } from '../../src/services/find-job.js';
import { type ApiDeps, type AppEnv, jobServiceDeps } from '../deps.js';
import { readCreateRequest } from '../http/multipart.js';
import { BINARY, errors, FLOW, JOB_ID, json, operation, ref, senderRoute } from './openapi.js';
import { flowParam, idempotencyKeyOf } from './params.js';
import { jobViewSchema, MAX_STATUS_QUERY_TOKEN_LENGTH } from './schemas.js';
import { jobView } from './views.js';

/** The file part the job examples (src/job/schema.ts) list as their document. */
const EXAMPLE_DOCUMENT_PART = 'contract.pdf';

/**
 * Create, once per flow: each flow's create takes only its own job schema (a portal field in a
 * direct job is refused, so one schema for both would promise what the code refuses).
 */
const createJobRoute = (flow: Flow) =>
  senderRoute({
    method: 'post',
    path: `/${flow}/signature-jobs`,
    summary: `Create a ${flow} signature job`,
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'A retry with the same key and body answers 200 with the first job; another body with the same key is 409.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      },
    ],
    responses: {
      '201': { description: 'Created.', content: json(jobViewSchema) },
      '200': {
        description: 'A retry with the same Idempotency-Key: the same job.',
        content: json(jobViewSchema),
      },
      ...errors('400', '409', '422'),
    },
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
              job: ref(flow === 'direct' ? directJobRequestSchema : portalJobRequestSchema),
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
  });

const readJobRoute = senderRoute({
  method: 'get',
  path: '/{flow}/signature-jobs/{id}',
  summary: 'Read a job',
  parameters: [FLOW, JOB_ID],
  responses: { '200': { description: 'The job.', content: json(jobViewSchema) } },
});

const directStatusRoute = senderRoute({
  method: 'get',
  path: '/direct/signature-jobs/{id}/status',
  summary: 'Read a direct job’s status with the signer’s status_query_token',
  description: '403 for a wrong token; 404 SIGNING_CEREMONY_NOT_COMPLETED before the signer is done.',
  parameters: [
    JOB_ID,
    {
      name: 'status_query_token',
      in: 'query',
      required: true,
      // Tokens the service hands out are far shorter; a longer one is refused unread (403).
      schema: { type: 'string', minLength: 1, maxLength: MAX_STATUS_QUERY_TOKEN_LENGTH },
    },
  ],
  responses: { '200': { description: 'The job.', content: json(jobViewSchema) }, ...errors('400') },
});

export function senderJobRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const jobDeps = jobServiceDeps(deps);
  const base = deps.config.PUBLIC_URL;

  /**
   * 201 with the new job; a retry with the same Idempotency-Key and body answers 200 with the
   * same job. Direct signers get fresh one-time redirect URLs in either answer (a retry means
   * the first answer was lost, and with it the URLs, which are not stored readable).
   */
  const createJob = (flow: Flow) => async (c: Context<AppEnv>) => {
    const org = c.get('org');
    const idempotencyKey = idempotencyKeyOf(c);
    const sender = c.get('sender');
    const { job, requestJson, files, pageCounts } = await readCreateRequest(c, flow, sender.sector);
    const { jobId, created, record } = await createSignatureJob(jobDeps, {
      org,
      flow,
      job,
      requestJson,
      files,
      pageCounts,
      senderOrdersLongTermStorage: sender.longTermStorage,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    // A new job's answer is built from what its create stored; a retry's job is read.
    const rec = record ?? (await getSignatureJob(jobDeps, org, flow, jobId));
    const redirectUrls =
      flow === 'direct'
        ? await issueRedirectUrls(
            deps.db,
            base,
            { id: jobId, createdAt: rec.job.createdAt },
            rec.signers.filter((s) => s.status === 'WAITING').map((s) => s.id),
          )
        : undefined;
    const view = jobView(base, rec, redirectUrls);
    c.header('Location', view.links.self);
    return c.json(view, created ? 201 : 200);
  };
  operation(app, createJobRoute('direct'), createJob('direct'));
  operation(app, createJobRoute('portal'), createJob('portal'));

  operation(app, readJobRoute, async (c) => {
    const rec = await getSignatureJob(jobDeps, c.get('org'), flowParam(c), c.req.param('id'));
    return c.json(jobView(base, rec));
  });

  /**
   * After the signer's redirect back to the sender: the job's status for the holder of the
   * `status_query_token` that came with it. 404 SIGNING_CEREMONY_NOT_COMPLETED while the signer
   * has neither signed nor rejected (the ceremony ended in an error, say).
   */
  operation(app, directStatusRoute, async (c) => {
    const rec = await directStatusForToken(
      jobDeps,
      c.get('org'),
      c.req.param('id'),
      c.req.query('status_query_token'),
    );
    return c.json(jobView(base, rec));
  });

  return app;
}
