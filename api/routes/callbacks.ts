/**
 * The sender's view of its callbacks: the delivery log of a job (every attempt, with the answer
 * or the error), and a redelivery on request of one status change (default: the newest).
 */
import { Hono } from 'hono';
import { listCallbackDeliveries } from '../../src/notifications/callbacks/deliver.js';
import { deliverStatusChange, NoCallbackUrlError } from '../../src/notifications/callbacks/status-change.js';
import { findOwnedJob } from '../../src/services/signature-jobs.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { REDELIVER_CHANGE_PATTERN } from '../schemas.js';
import { FLOW_SEGMENT, flowParam } from './params.js';

export function callbackRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();

  app.get(`/${FLOW_SEGMENT}/signature-jobs/:id/callbacks`, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const deliveries = await listCallbackDeliveries(deps.db, job.id);
    return c.json({ jobId: job.id, deliveries });
  });

  app.post(`/${FLOW_SEGMENT}/signature-jobs/:id/callbacks/redeliver`, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const changeParam = c.req.query('change');
    if (changeParam !== undefined && !REDELIVER_CHANGE_PATTERN.test(changeParam)) {
      throw new ApiError(400, 'VALIDATION_FAILED', 'change must be a status-change sequence number', [
        { path: 'change', code: 'INVALID_FORMAT', message: 'a positive integer' },
      ]);
    }
    const seq = changeParam === undefined ? undefined : Number(changeParam);
    try {
      const sent = await deliverStatusChange(
        deps.db,
        { jobId: job.id, ...(seq !== undefined ? { seq } : {}) },
        deps.allowPrivateCallbackTargets ?? 'none',
      );
      if (!sent) throw notFound('no such status change of this job');
      return c.json({ delivered: true, change: sent.seq });
    } catch (err) {
      if (err instanceof NoCallbackUrlError) throw new ApiError(409, 'NO_CALLBACK_URL', err.message);
      if (err instanceof ApiError) throw err;
      // The receiver's failure is logged with the attempt; it is not an error of this request.
      return c.json({ delivered: false, change: seq ?? null, error: (err as Error).message });
    }
  });

  return app;
}
