/**
 * The status-change queue: `GET .../signature-jobs?polling_queue=q` takes the next change (200)
 * or finds none (204), always telling when to poll next in `X-Next-permitted-poll-time`; polling
 * an empty queue before then is 429. `POST .../{id}/complete?change=<id>` confirms a change.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import type { Flow } from '../../src/job/model.js';
import { pollingQueueSchema } from '../../src/job/schema.js';
import { confirmOrRefuse } from '../../src/services/confirm-status-change.js';
import { findOwnedJob } from '../../src/services/find-job.js';
import { pollOrRefuse } from '../../src/services/poll-status-queue.js';
import { DEFAULT_STATUS_QUEUE_OPTIONS } from '../../src/services/status-queue.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { badRequest, NEXT_POLL_HEADER } from '../http/errors.js';
import { errors, FLOW, JOB_ID, json, operation, senderRoute } from './openapi.js';
import { flowParam } from './params.js';
import { statusChangeViewSchema } from './schemas.js';
import { statusChangeView } from './views.js';

const nextPollHeader = { [NEXT_POLL_HEADER]: { schema: { type: 'string', format: 'date-time' } } } as const;

/** The poll, once per flow, beside each flow's create (api/json/sender-jobs.ts) on the same path. */
const pollRoute = (flow: Flow) =>
  senderRoute({
    method: 'get',
    path: `/${flow}/signature-jobs`,
    summary: `Take the next change of a status queue (${flow} jobs)`,
    description: 'A 429 also answers polling an empty queue before X-Next-permitted-poll-time.',
    parameters: [
      { name: 'polling_queue', in: 'query', required: false, schema: z.toJSONSchema(pollingQueueSchema) },
    ],
    responses: {
      '200': {
        description:
          'The oldest unconfirmed change, now hidden from other pollers for 10 minutes unless confirmed.',
        headers: nextPollHeader,
        content: json(statusChangeViewSchema),
      },
      '204': {
        description: 'The queue is empty; poll again no earlier than X-Next-permitted-poll-time.',
        headers: nextPollHeader,
      },
      ...errors('400'),
    },
  });

const confirmRoute = senderRoute({
  method: 'post',
  path: '/{flow}/signature-jobs/{id}/complete',
  summary: 'Confirm a status change',
  parameters: [
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
  responses: { '204': { description: 'Confirmed; the change leaves the queue.' } },
});

export function statusQueueRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const options = { ...DEFAULT_STATUS_QUEUE_OPTIONS, ...deps.statusQueue };

  const poll = (flow: Flow) => async (c: Context<AppEnv>) => {
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
    const address = { org: c.get('org'), flow, queue: queue.data };
    const outcome = await pollOrRefuse(deps.db, address, options);
    c.header(NEXT_POLL_HEADER, outcome.nextPermittedAt.toISOString());
    if (outcome.kind === 'empty') return c.body(null, 204);
    return c.json(statusChangeView(deps.config.PUBLIC_URL, address, outcome.change));
  };
  operation(app, pollRoute('direct'), poll('direct'));
  operation(app, pollRoute('portal'), poll('portal'));

  operation(app, confirmRoute, async (c) => {
    const flow = flowParam(c);
    const org = c.get('org');
    const job = await findOwnedJob(deps.db, org, flow, c.req.param('id'));
    await confirmOrRefuse(deps.db, { org, flow, jobId: job.id }, c.req.query('change'));
    return c.body(null, 204);
  });

  return app;
}
