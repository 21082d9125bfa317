/** `GET /healthz`: checks the database and Temporal for real, each with a time limit. */

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Connection } from '@temporalio/client';
import { sql } from 'kysely';
import type { ApiDeps } from '../deps.js';
import { json, operation, publicRoute } from './openapi.js';
import { healthViewSchema } from './schemas.js';

const CHECK_TIMEOUT_MS = 3000;

async function check(run: () => Promise<unknown>): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    clearTimeout(timer);
  }
}

const healthRoute = publicRoute('Service', {
  method: 'get',
  path: '/healthz',
  summary: 'Health of the API, its database and Temporal',
  responses: {
    '200': { description: 'All up.', content: json(healthViewSchema) },
    '503': { description: 'Something is down.', content: json(healthViewSchema) },
  },
});

export function healthRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  operation(app, healthRoute, async (c) => {
    const [db, temporal] = await Promise.all([
      check(() => sql`select 1`.execute(deps.db)),
      check(() => (deps.temporal.connection as Connection).healthService.check({})),
    ]);
    const ok = db === 'ok' && temporal === 'ok';
    return c.json({ status: ok ? 'ok' : 'unavailable', checks: { db, temporal } }, ok ? 200 : 503);
  });
  return app;
}
