/** Downloads of a job's results: the sealed PAdES and each signer's XAdES (404 until they exist). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../../src/db/index.js';
import { artifactMadeAt, signerIdsOf } from '../../src/db/job-reads.js';
import { contentDisposition, signatureObjectName, signedPdfName } from '../../src/rules/download-name.js';
import { findArtifact, findOwnedJob } from '../../src/services/signature-jobs.js';
import type { DocumentStore } from '../../src/storage/index.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { notFound } from '../errors.js';
import { BINARY, FLOW, JOB_ID, operation, SIGNER_ID, senderRoute } from '../openapi.js';
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

/**
 * The header naming a result download after the job: `<title>-signed-<date>.pdf` for the PAdES,
 * `<title>-signer-<n>-signed-<date>.xml` for signer n's XAdES (the sender portal's too).
 */
export async function resultDisposition(
  db: Db,
  job: { id: string; title: string },
  kind: 'PADES' | 'XADES',
  signerId = '',
): Promise<string> {
  const madeAt = (await artifactMadeAt(db, job.id, kind, signerId)) ?? new Date();
  if (kind === 'PADES') return contentDisposition('attachment', signedPdfName(job.title, madeAt));
  const number = (await signerIdsOf(db, job.id)).indexOf(signerId) + 1;
  return contentDisposition('attachment', signatureObjectName(job.title, number, madeAt));
}

/** The job's PAdES for its sender (JSON and XML API); 404 until made or once deleted. */
export async function padesForSender(
  deps: { db: Db; storage: DocumentStore },
  jobId: string,
): Promise<Buffer> {
  const content = await findArtifact(deps, jobId, 'PADES');
  if (!content) throw notFound('the signed document does not exist (yet, or any more)');
  // Fetched results spare the sender the reminder before the documents expire.
  await deps.db
    .updateTable('signature_jobs')
    .set({ results_downloaded_at: new Date() })
    .where('id', '=', jobId)
    .where('results_downloaded_at', 'is', null)
    .execute();
  return content;
}
