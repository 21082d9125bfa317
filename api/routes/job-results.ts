/** Downloads of a job's results: the sealed PAdES and each signer's XAdES (404 until they exist). */
import { Hono } from 'hono';
import { padesForSender } from '../../src/services/download-pades.js';
import { findArtifact, findOwnedJob } from '../../src/services/signature-jobs.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { notFound } from '../errors.js';
import { FLOW_SEGMENT, flowParam } from './params.js';

export function jobResultRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();

  app.get(`/${FLOW_SEGMENT}/signature-jobs/:id/pades`, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const content = await padesForSender(deps, job.id);
    c.header('Content-Disposition', `attachment; filename="${job.id}.pdf"`);
    return c.body(new Uint8Array(content), 200, { 'Content-Type': 'application/pdf' });
  });

  app.get(`/${FLOW_SEGMENT}/signature-jobs/:id/signers/:signerId/xades`, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const content = await findArtifact(deps, job.id, 'XADES', c.req.param('signerId'));
    if (!content) throw notFound("the signer's XAdES does not exist (yet, or any more)");
    c.header('Content-Disposition', `attachment; filename="${job.id}-${c.req.param('signerId')}.xml"`);
    return c.body(new Uint8Array(content), 200, { 'Content-Type': 'application/xml' });
  });

  return app;
}
