/**
 * The status-change queue: `GET .../signature-jobs?polling_queue=q` takes the next change (200)
 * or finds none (204), always telling when to poll next in `X-Next-permitted-poll-time`; polling
 * an empty queue before then is 429. `POST .../{id}/complete?change=<id>` confirms a change.
 */
import { Hono } from 'hono';
import { confirmOrRefuse } from '../../src/services/confirm-status-change.js';
import { pollOrRefuse } from '../../src/services/poll-status-queue.js';
import { findOwnedJob } from '../../src/services/signature-jobs.js';
import { DEFAULT_STATUS_QUEUE_OPTIONS } from '../../src/services/status-queue.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { badRequest, NEXT_POLL_HEADER } from '../errors.js';
import { pollingQueueSchema } from '../schemas.js';
import { statusChangeView } from '../views.js';
import { FLOW_SEGMENT, flowParam } from './params.js';

export function statusQueueRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const options = { ...DEFAULT_STATUS_QUEUE_OPTIONS, ...deps.statusQueue };

  app.get(`/${FLOW_SEGMENT}/signature-jobs`, async (c) => {
    const queue = pollingQueueSchema.safeParse(c.req.query('polling_queue') ?? '');
    if (!queue.success) {
      throw badRequest('VALIDATION_FAILED', 'the polling_queue is not valid', [
        {
          path: 'polling_queue',
          code: 'INVALID_FORMAT',
          message: 'at most 100 characters: letters A-Z, digits, ".", "_" and "-"',
        },
      ]);
    }
    const address = { org: c.get('org'), flow: flowParam(c), queue: queue.data };
    const outcome = await pollOrRefuse(deps.db, address, options);
    c.header(NEXT_POLL_HEADER, outcome.nextPermittedAt.toISOString());
    if (outcome.kind === 'empty') return c.body(null, 204);
    return c.json(statusChangeView(deps.config.PUBLIC_URL, address, outcome.change));
  });

  app.post(`/${FLOW_SEGMENT}/signature-jobs/:id/complete`, async (c) => {
    const flow = flowParam(c);
    const org = c.get('org');
    const job = await findOwnedJob(deps.db, org, flow, c.req.param('id'));
    await confirmOrRefuse(deps.db, { org, flow, jobId: job.id }, c.req.query('change'));
    return c.body(null, 204);
  });

  return app;
}
