/**
 * Development-mode endpoints: sign or reject as a signer without a browser, through the same
 * workflow updates the signing portal uses. Mounted only when APP_ENV is development or test.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { findSignerJob, rejectAsSigner, signAsSigner } from '../../src/services/signature-jobs.js';
import type { ApiDeps } from '../deps.js';
import { badRequest, notFound } from '../errors.js';

const signBody = z.strictObject({ authenticationLevel: z.union([z.literal(3), z.literal(4)]).default(4) });
const rejectBody = z.strictObject({ reason: z.string().max(500).optional() });

async function jsonBody<T>(c: { req: { text(): Promise<string> } }, schema: z.ZodType<T>): Promise<T> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw badRequest('INVALID_JSON', 'the body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      'the body is not valid',
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', code: 'INVALID', message: i.message })),
    );
  }
  return parsed.data;
}

export function devRoutes(deps: ApiDeps) {
  const app = new Hono();
  const jobDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE };

  app.post('/signature-jobs/:id/signers/:signerId/sign', async (c) => {
    const { authenticationLevel } = await jsonBody(c, signBody);
    const found = await findSignerJob(deps.db, c.req.param('id'), c.req.param('signerId'));
    if (!found) throw notFound('no such job and signer');
    const signer = await signAsSigner(jobDeps, found.jobId, { signerId: found.signerId, authenticationLevel });
    return c.json(signer);
  });

  app.post('/signature-jobs/:id/signers/:signerId/reject', async (c) => {
    const { reason } = await jsonBody(c, rejectBody);
    const found = await findSignerJob(deps.db, c.req.param('id'), c.req.param('signerId'));
    if (!found) throw notFound('no such job and signer');
    const signer = await rejectAsSigner(jobDeps, found.jobId, found.signerId, reason);
    return c.json(signer);
  });

  return app;
}
