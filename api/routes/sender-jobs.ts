/** The sender API's job resources: `/api/{org}/{flow}/signature-jobs...` */
import { Hono } from 'hono';
import { FLOWS, type Flow } from '../../src/job/model.js';
import { findOrganisation } from '../../src/services/organisations.js';
import { createSignatureJob, getSignatureJob } from '../../src/services/signature-jobs.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { readCreateRequest } from '../multipart.js';
import { jobView } from '../views.js';

function flowOf(value: string | undefined): Flow {
  if (!FLOWS.includes(value as Flow)) throw notFound('no such resource: the flow is `direct` or `portal`');
  return value as Flow;
}

export function senderJobRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const jobDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE };
  const base = deps.config.PUBLIC_URL;

  app.post('/:flow/signature-jobs', async (c) => {
    const flow = flowOf(c.req.param('flow'));
    const org = c.get('org');
    const sender = await findOrganisation(deps.db, org);
    if (!sender) throw new ApiError(403, 'FORBIDDEN', 'the organisation is not registered as a sender');
    const { job, files } = await readCreateRequest(c, flow, sender.sector);
    const idempotencyKey = c.req.header('idempotency-key');
    const { jobId, created } = await createSignatureJob(jobDeps, {
      org,
      flow,
      job,
      files,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    const rec = await getSignatureJob(jobDeps, org, flow, jobId);
    const view = jobView(base, rec);
    c.header('Location', view.links.self);
    return c.json(view, created ? 201 : 200);
  });

  app.get('/:flow/signature-jobs/:id', async (c) => {
    const flow = flowOf(c.req.param('flow'));
    const rec = await getSignatureJob(jobDeps, c.get('org'), flow, c.req.param('id'));
    return c.json(jobView(base, rec));
  });

  return app;
}
