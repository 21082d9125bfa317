/** The sender API's job resources: create, read, and the direct flow's status by token. */
import { Hono } from 'hono';
import { issueRedirectUrls } from '../../src/services/direct-signers.js';
import { directStatusForToken } from '../../src/services/direct-status.js';
import { findOrganisation } from '../../src/services/organisations.js';
import { createSignatureJob, getSignatureJob } from '../../src/services/signature-jobs.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { readCreateRequest } from '../multipart.js';
import { jobView } from '../views.js';
import { FLOW_SEGMENT, flowParam, idempotencyKeyOf } from './params.js';

export function senderJobRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const jobDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    storage: deps.storage,
    allowPrivateCallbackTargets: deps.allowPrivateCallbackTargets ?? 'none',
  };
  const base = deps.config.PUBLIC_URL;

  /**
   * 201 with the new job; a retry with the same Idempotency-Key and body answers 200 with the
   * same job. Direct signers get fresh one-time redirect URLs in either answer (a retry means
   * the first answer was lost, and with it the URLs, which are not stored readable).
   */
  app.post(`/${FLOW_SEGMENT}/signature-jobs`, async (c) => {
    const flow = flowParam(c);
    const org = c.get('org');
    const idempotencyKey = idempotencyKeyOf(c);
    const sender = await findOrganisation(deps.db, org);
    if (!sender) throw new ApiError(403, 'FORBIDDEN', 'the organisation is not registered as a sender');
    const { job, requestJson, files } = await readCreateRequest(c, flow, sender.sector);
    const { jobId, created } = await createSignatureJob(jobDeps, {
      org,
      flow,
      job,
      requestJson,
      files,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    const rec = await getSignatureJob(jobDeps, org, flow, jobId);
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
  });

  app.get(`/${FLOW_SEGMENT}/signature-jobs/:id`, async (c) => {
    const rec = await getSignatureJob(jobDeps, c.get('org'), flowParam(c), c.req.param('id'));
    return c.json(jobView(base, rec));
  });

  /**
   * After the signer's redirect back to the sender: the job's status for the holder of the
   * `status_query_token` that came with it. 404 SIGNING_CEREMONY_NOT_COMPLETED while the signer
   * has neither signed nor rejected (the ceremony ended in an error, say).
   */
  app.get('/direct/signature-jobs/:id/status', async (c) => {
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
