/** Downloads of a job's results: the sealed PAdES and each signer's XAdES (404 until they exist). */
import { OpenAPIHono } from '@hono/zod-openapi';
import { padesForSender } from '../../src/services/download-pades.js';
import { findOwnedJob } from '../../src/services/find-job.js';
import { resultDisposition } from '../../src/services/result-download-name.js';
import { findArtifact } from '../../src/signatures/artifacts.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { notFound } from '../http/errors.js';
import { BINARY, FLOW, JOB_ID, operation, SIGNER_ID, senderRoute } from './openapi.js';
import { flowParam } from './params.js';

const padesRoute = senderRoute({
  method: 'get',
  path: '/{flow}/signature-jobs/{id}/pades',
  summary: 'Download the signed PDF (PAdES)',
  parameters: [FLOW, JOB_ID],
  responses: {
    '200': { description: 'The sealed PDF.', content: { 'application/pdf': { schema: BINARY } } },
  },
});

const xadesRoute = senderRoute({
  method: 'get',
  path: '/{flow}/signature-jobs/{id}/signers/{signerId}/xades',
  summary: 'Download a signer’s XAdES',
  parameters: [FLOW, JOB_ID, SIGNER_ID],
  responses: {
    '200': {
      description: 'The XAdES signature.',
      content: { 'application/xml': { schema: { type: 'string' } } },
    },
  },
});

export function jobResultRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();

  operation(app, padesRoute, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const content = await padesForSender(deps, job.id);
    c.header('Content-Disposition', await resultDisposition(deps.db, job, 'PADES'));
    return c.body(new Uint8Array(content), 200, { 'Content-Type': 'application/pdf' });
  });

  operation(app, xadesRoute, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    const content = await findArtifact(deps, job.id, 'XADES', c.req.param('signerId'));
    if (!content) throw notFound("the signer's XAdES does not exist (yet, or any more)");
    c.header('Content-Disposition', await resultDisposition(deps.db, job, 'XADES', c.req.param('signerId')));
    return c.body(new Uint8Array(content), 200, { 'Content-Type': 'application/xml' });
  });

  return app;
}
