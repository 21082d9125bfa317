/**
 * What a sender does to a job: cancel it, extend its deadline, give a direct signer a new
 * redirect URL, delete its documents. Each checks first that the job is the sender's (404
 * otherwise); the workflow then decides whether the action is allowed now (409 when not).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { cancelJob } from '../../src/services/cancel-job.js';
import { requestDocumentDeletion } from '../../src/services/delete-documents.js';
import { extendDeadline } from '../../src/services/extend-deadline.js';
import { findOwnedJob } from '../../src/services/find-job.js';
import { reissueRedirectUrl } from '../../src/services/reissue-redirect-url.js';
import { type ApiDeps, type AppEnv, jobServiceDeps } from '../deps.js';
import { jsonBodyLimit, readJsonBody } from './json-body.js';
import { errors, FLOW, JOB_ID, json, operation, SIGNER_ID, senderRoute } from './openapi.js';
import { flowParam } from './params.js';
import { deadlineRequestSchema, deadlineViewSchema, redirectUrlViewSchema } from './schemas.js';

const cancelRoute = senderRoute({
  method: 'post',
  path: '/portal/signature-jobs/{id}/cancel',
  summary: 'Cancel a portal job',
  parameters: [JOB_ID],
  responses: { '204': { description: 'Cancelled.' }, ...errors('409') },
});

const deadlineRoute = senderRoute({
  method: 'post',
  path: '/portal/signature-jobs/{id}/deadline',
  summary: 'Extend the active group’s deadline',
  parameters: [JOB_ID],
  requestBody: { required: true, content: json(deadlineRequestSchema) },
  responses: {
    '200': { description: 'The group with its new deadline.', content: json(deadlineViewSchema) },
    ...errors('400', '409'),
  },
});

const redirectUrlRoute = senderRoute({
  method: 'post',
  path: '/direct/signature-jobs/{id}/signers/{signerId}/redirect-url',
  summary: 'A new one-time redirect URL for a direct signer',
  parameters: [JOB_ID, SIGNER_ID],
  responses: {
    '200': { description: 'The new URL; earlier ones stop working.', content: json(redirectUrlViewSchema) },
    ...errors('409'),
  },
});

const deleteDocumentsRoute = senderRoute({
  method: 'delete',
  path: '/{flow}/signature-jobs/{id}/documents',
  summary: 'Delete the documents of an ended job',
  parameters: [FLOW, JOB_ID],
  responses: {
    '202': { description: 'The job’s workflow deletes documents and results moments later.' },
    ...errors('409'),
  },
});

export function jobActionRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const jobDeps = jobServiceDeps(deps);

  /** Only portal jobs can be cancelled (docs/domain.md); a direct path has no such resource. */
  operation(app, cancelRoute, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), 'portal', c.req.param('id'));
    await cancelJob(jobDeps, job.id);
    return c.body(null, 204);
  });

  operation(app, deadlineRoute, jsonBodyLimit, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), 'portal', c.req.param('id'));
    const { availableSeconds } = await readJsonBody(c, deadlineRequestSchema);
    const group = await extendDeadline(jobDeps, job.id, availableSeconds);
    return c.json({
      order: group.order,
      ...(group.activatedAt ? { activatedAt: group.activatedAt } : {}),
      ...(group.deadline ? { deadline: group.deadline } : {}),
    });
  });

  operation(app, redirectUrlRoute, async (c) => {
    const { signerId, redirectUrl } = await reissueRedirectUrl(
      jobDeps,
      deps.config.PUBLIC_URL,
      c.get('org'),
      c.req.param('id'),
      c.req.param('signerId'),
    );
    return c.json({ id: signerId, redirectUrl });
  });

  /**
   * 202: the job's workflow deletes the documents and results moments later. A job whose
   * workflow has closed has had its documents deleted already, so asking again is no conflict.
   */
  operation(app, deleteDocumentsRoute, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    await requestDocumentDeletion(jobDeps, job);
    return c.body(null, 202);
  });

  return app;
}
