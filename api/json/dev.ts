/**
 * Development-mode endpoints: a sample PDF to create a job with; sign or reject as a signer without a browser, through the same
 * service path the signing portal and the direct-flow ceremony use (`actAsSigner`). For a direct
 * job the answer carries the exit URL with its status_query_token, as the browser would get it.
 * Mounted only when APP_ENV is development or test.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { readSignerJob } from '../../src/db/job-reads.js';
import type { AuthenticationLevel } from '../../src/job/model.js';
import { samplePdf } from '../../src/job/sample-pdf.js';
import { findSignerJob } from '../../src/services/find-job.js';
import { actAsSigner, type SignerAction } from '../../src/services/signer-actions.js';
import type { SignerIdentity } from '../../src/signatures/job-results.js';
import { type ApiDeps, jobServiceDeps } from '../deps.js';
import { notFound } from '../http/errors.js';
import { jsonBodyLimit, readJsonBody } from './json-body.js';
import { BINARY, errors, JOB_ID, json, operation, publicRoute, SIGNER_ID } from './openapi.js';
import { devRejectRequestSchema, devSignerResultSchema, devSignRequestSchema } from './schemas.js';

const signerActionRoute = (
  action: 'sign' | 'reject',
  summary: string,
  body: typeof devSignRequestSchema | typeof devRejectRequestSchema,
) =>
  publicRoute('Development mode', {
    method: 'post',
    path: `/signature-jobs/{id}/signers/{signerId}/${action}`,
    summary,
    parameters: [JOB_ID, SIGNER_ID],
    requestBody: { required: false, content: json(body) },
    responses: {
      '200': { description: 'The signer’s new status.', content: json(devSignerResultSchema) },
      ...errors('400', '404', '409', '413'),
    },
  });

const sampleRoute = publicRoute('Development mode', {
  method: 'get',
  path: '/sample.pdf',
  summary: 'A one-page sample PDF to create a job with',
  responses: { '200': { description: 'The PDF.', content: { 'application/pdf': { schema: BINARY } } } },
});

export function devRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  const jobDeps = { ...jobServiceDeps(deps), signing: deps.signing };

  const act = async (jobId: string, signerId: string, action: SignerAction) => {
    const found = await findSignerJob(deps.db, jobId, signerId);
    if (!found) throw notFound('no such job and signer');
    return actAsSigner(jobDeps, { jobId: found.jobId, signerId: found.signerId, flow: found.flow }, action);
  };

  operation(
    app,
    signerActionRoute('sign', 'Sign as the signer (test eID)', devSignRequestSchema),
    jsonBodyLimit,
    async (c) => {
      const { authenticationLevel } = await readJsonBody(c, devSignRequestSchema);
      const found = await findSignerJob(deps.db, c.req.param('id'), c.req.param('signerId'));
      if (!found) throw notFound('no such job and signer');
      const identity = await devTestPerson(deps, found.jobId, found.signerId, authenticationLevel);
      return c.json(await act(found.jobId, found.signerId, { type: 'sign', authenticationLevel, identity }));
    },
  );

  operation(
    app,
    signerActionRoute('reject', 'Reject as the signer', devRejectRequestSchema),
    jsonBodyLimit,
    async (c) => {
      const { reason } = await readJsonBody(c, devRejectRequestSchema);
      const action: SignerAction = { type: 'reject', ...(reason ? { reason } : {}) };
      return c.json(await act(c.req.param('id'), c.req.param('signerId'), action));
    },
  );

  // A PDF to create a job with, so the README's walkthrough runs from any folder with curl alone.
  operation(app, sampleRoute, async (c) =>
    c.body(new Uint8Array(await samplePdf()), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': 'attachment; filename="contract.pdf"',
    }),
  );

  return app;
}

/**
 * The person a development signature is made as: the signer's own identity number with the test
 * population's name for it (or a generated one), authenticated now by the test eID, with the test
 * eID's key for that person, exactly what a browser login would give the ceremony.
 */
async function devTestPerson(
  deps: ApiDeps,
  jobId: string,
  signerId: string,
  level: AuthenticationLevel,
): Promise<SignerIdentity> {
  const job = await readSignerJob(deps.db, jobId, signerId);
  if (!job) throw new Error(`no signer ${signerId} in job ${jobId}`);
  const { signer } = job;
  const pid = signer.pid;
  // Loaded here, not imported: these endpoints exist only outside production, and production
  // code never loads the test population (src/notifications/dev-register-seed.ts).
  const { testEidName } = await import('../../src/notifications/dev-register-seed.js');
  const name = pid
    ? testEidName(pid)
    : `Test Signer (${signer.customIdentifier ?? signer.email ?? signer.mobile ?? signerId})`;
  const personalKey =
    pid && signer.signatureType === 'ADVANCED_SIGNATURE'
      ? await deps.signingKeys.keyOf({ pid, name })
      : undefined;
  return {
    name,
    ...(pid ? { personalIdentificationNumber: pid } : {}),
    authenticationLevel: level,
    authenticatedAt: new Date(),
    eidProvider: deps.eid.name,
    ...(personalKey ? { personalKey } : {}),
  };
}
