/**
 * What a sender does to a job: cancel it, extend its deadline, give a direct signer a new
 * redirect URL, delete its documents. Each checks first that the job is the sender's (404
 * otherwise); the workflow then decides whether the action is allowed now (409 when not).
 */
import { Hono } from 'hono';
import { requestDocumentDeletion } from '../../src/services/delete-documents.js';
import { reissueRedirectUrl } from '../../src/services/reissue-redirect-url.js';
import { cancelJob, extendDeadline, findOwnedJob } from '../../src/services/signature-jobs.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { jsonBodyLimit, readJsonBody } from '../json-body.js';
import { deadlineRequestSchema } from '../schemas.js';
import { FLOW_SEGMENT, flowParam } from './params.js';

export function jobActionRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const jobDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    storage: deps.storage,
  };

  /** Only portal jobs can be cancelled (domain.md); a direct path has no such resource. */
  app.post('/portal/signature-jobs/:id/cancel', async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), 'portal', c.req.param('id'));
    await cancelJob(jobDeps, job.id);
    return c.body(null, 204);
  });

  app.post('/portal/signature-jobs/:id/deadline', jsonBodyLimit, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), 'portal', c.req.param('id'));
    const { availableSeconds } = await readJsonBody(c, deadlineRequestSchema);
    const group = await extendDeadline(jobDeps, job.id, availableSeconds);
    return c.json({
      order: group.order,
      ...(group.activatedAt ? { activatedAt: group.activatedAt } : {}),
      ...(group.deadline ? { deadline: group.deadline } : {}),
    });
  });

  app.post('/direct/signature-jobs/:id/signers/:signerId/redirect-url', async (c) => {
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
  app.delete(`/${FLOW_SEGMENT}/signature-jobs/:id/documents`, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    await requestDocumentDeletion(jobDeps, job);
    return c.body(null, 202);
  });

  return app;
}
