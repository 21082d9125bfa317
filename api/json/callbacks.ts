/**
 * The sender's view of its callbacks: the delivery log of a job (every attempt, with the answer
 * or the error), and a redelivery on request of one status change (default: the newest).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { listCallbackDeliveries } from '../../src/notifications/callbacks/deliver.js';
import { deliverStatusChange, NoCallbackUrlError } from '../../src/notifications/callbacks/status-change.js';
import { findOwnedJob } from '../../src/services/find-job.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { ApiError, notFound } from '../http/errors.js';
import { errors, FLOW, JOB_ID, operation, senderRoute } from './openapi.js';
import { flowParam } from './params.js';
import { MAX_REDELIVER_CHANGE, REDELIVER_CHANGE_PATTERN } from './schemas.js';

const deliveryLogRoute = senderRoute({
  method: 'get',
  path: '/{flow}/signature-jobs/{id}/callbacks',
  summary: 'The delivery log of the job’s callbacks: every attempt and its answer',
  parameters: [FLOW, JOB_ID],
  responses: {
    '200': {
      description: '`{jobId, deliveries: [{changeSeq, url, attempt, statusCode, error, durationMs, at}]}`.',
    },
  },
});

const redeliverRoute = senderRoute({
  method: 'post',
  path: '/{flow}/signature-jobs/{id}/callbacks/redeliver',
  summary: 'Deliver a status change to the callback URL again (default: the newest change)',
  parameters: [
    FLOW,
    JOB_ID,
    {
      name: 'change',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 0, maximum: MAX_REDELIVER_CHANGE },
    },
  ],
  responses: {
    '200': { description: '`{delivered, change, error?}`; the attempt is in the delivery log.' },
    ...errors('400', '409'),
  },
});

export function callbackRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();

  operation(app, deliveryLogRoute, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const deliveries = await listCallbackDeliveries(deps.db, job.id);
    return c.json({ jobId: job.id, deliveries });
  });

  operation(app, redeliverRoute, async (c) => {
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
