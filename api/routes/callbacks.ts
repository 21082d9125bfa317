/**
 * The sender's view of its callbacks: the delivery log of a job (every attempt, with the answer
 * or the error), and a redelivery on request of one status change (default: the newest).
 */
import { Hono } from 'hono';
import type { JobRequest } from '../../src/job/model.js';
import { deliverCallback, listCallbackDeliveries } from '../../src/notifications/callbacks/deliver.js';
import { activeCallbackSecrets, createCallbackSecret } from '../../src/notifications/callbacks/secrets.js';
import { findOwnedJob } from '../../src/services/signature-jobs.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
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
    const row = await deps.db
      .selectFrom('signature_jobs')
      .select('request')
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    const url = (row.request as Partial<JobRequest>).callbackUrl;
    if (!url) throw new ApiError(409, 'NO_CALLBACK_URL', 'the job was created without a callbackUrl');
    const changeParam = c.req.query('change');
    if (changeParam !== undefined && !/^[0-9]{1,9}$/.test(changeParam)) {
      throw new ApiError(400, 'VALIDATION_FAILED', 'change must be a status-change sequence number', [
        { path: 'change', code: 'INVALID_FORMAT', message: 'a positive integer' },
      ]);
    }
    let query = deps.db.selectFrom('status_changes').select(['seq', 'payload']).where('job_id', '=', job.id);
    query = changeParam
      ? query.where('seq', '=', Number(changeParam))
      : query.orderBy('seq', 'desc').limit(1);
    const change = await query.executeTakeFirst();
    if (!change) throw notFound('no such status change of this job');

    let secrets = await activeCallbackSecrets(deps.db, c.get('org'));
    if (secrets.length === 0) secrets = [await createCallbackSecret(deps.db, c.get('org'))];
    const earlier = (await listCallbackDeliveries(deps.db, job.id)).filter((d) => d.changeSeq === change.seq);
    try {
      await deliverCallback(
        {
          jobId: job.id,
          changeSeq: change.seq,
          url,
          payload: change.payload,
          secrets: secrets.map((s) => s.secret),
          idempotencyKey: `${job.id}:${change.seq}`,
          attempt: earlier.length + 1,
        },
        { db: deps.db, allowPrivateTargets: deps.allowPrivateCallbackTargets ?? 'none' },
      );
      return c.json({ delivered: true, change: change.seq });
    } catch (err) {
      // The receiver's failure is logged with the attempt; it is not an error of this request.
      return c.json({ delivered: false, change: change.seq, error: (err as Error).message });
    }
  });

  return app;
}
