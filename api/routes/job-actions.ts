/**
 * What a sender does to a job: cancel it, extend its deadline, give a direct signer a new
 * redirect URL, delete its documents. Each checks first that the job is the sender's (404
 * otherwise); the workflow then decides whether the action is allowed now (409 when not).
 */
import { Hono } from 'hono';
import { directJobExpiry, issueRedirectUrl } from '../../src/services/direct-signers.js';
import {
  cancelJob,
  deleteJobDocuments,
  extendDeadline,
  findOwnedJob,
  getSignatureJob,
  JobConflictError,
  type JobServiceDeps,
} from '../../src/services/signature-jobs.js';
import type { DocumentStore } from '../../src/storage/index.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { jsonBodyLimit, readJsonBody } from '../json-body.js';
import { deadlineRequestSchema } from '../schemas.js';
import { FLOW_SEGMENT, flowParam } from './params.js';

export function jobActionRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const jobDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    storage: deps.storage,
  };

  /** Only portal jobs can be cancelled (docs/domain.md); a direct path has no such resource. */
  app.post('/portal/signature-jobs/:id/cancel', async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), 'portal', c.req.param('id'));
    await cancelJob(jobDeps, job.id);
    return c.body(null, 204);
  });

  app.post('/portal/signature-jobs/:id/deadline', jsonBodyLimit, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), 'portal', c.req.param('id'));
    const { availableSeconds } = await readJsonBody(c, deadlineRequestSchema);
    const group = await extendDeadline(jobDeps, job.id, availableSeconds);
    return c.json({
      order: group.order,
      ...(group.activatedAt ? { activatedAt: group.activatedAt } : {}),
      ...(group.deadline ? { deadline: group.deadline } : {}),
    });
  });

  app.post('/direct/signature-jobs/:id/signers/:signerId/redirect-url', async (c) => {
    const { signerId, redirectUrl } = await reissueRedirectUrl(
      jobDeps,
      deps.config.PUBLIC_URL,
      c.get('org'),
      c.req.param('id'),
      c.req.param('signerId'),
    );
    return c.json({ id: signerId, redirectUrl });
  });

  /**
   * 202: the job's workflow deletes the documents and results moments later. A job whose
   * workflow has closed has had its documents deleted already, so asking again is no conflict.
   */
  app.delete(`/${FLOW_SEGMENT}/signature-jobs/:id/documents`, async (c) => {
    const job = await findOwnedJob(deps.db, c.get('org'), flowParam(c), c.req.param('id'));
    await requestDocumentDeletion(jobDeps, job);
    return c.body(null, 202);
  });

  return app;
}

/** A new one-time redirect URL for a direct signer still WAITING (JSON and XML API). */
export async function reissueRedirectUrl(
  jobDeps: JobServiceDeps,
  publicUrl: string,
  org: string,
  jobId: string,
  signerId: string,
): Promise<{ signerId: string; identifier: string; redirectUrl: string }> {
  const rec = await getSignatureJob(jobDeps, org, 'direct', jobId);
  const signer = rec.signers.find((s) => s.id === signerId);
  if (!signer) throw notFound('no such signer in this job');
  if (rec.job.status !== 'IN_PROGRESS') throw conflict('JOB_ENDED', 'the job has ended');
  if (signer.status !== 'WAITING')
    throw conflict('ALREADY_ACTED', 'the signer has already signed or rejected');
  const redirectUrl = await issueRedirectUrl(jobDeps.db, publicUrl, {
    jobId: rec.job.id,
    signerId: signer.id,
    expiresAt: directJobExpiry(rec.job.createdAt),
  });
  return { signerId: signer.id, identifier: signer.identifier, redirectUrl };
}

/**
 * Asks the job's workflow to delete the documents and results (moments later). A job whose
 * workflow has closed has had its documents deleted already, so asking again is no conflict.
 */
export async function requestDocumentDeletion(
  jobDeps: JobServiceDeps & { storage: DocumentStore },
  job: { id: string; status: string },
): Promise<void> {
  try {
    await deleteJobDocuments(jobDeps, job.id);
  } catch (err) {
    const closed =
      err instanceof JobConflictError && err.code === 'JOB_ENDED' && job.status !== 'IN_PROGRESS';
    if (!closed) throw err;
  }
}
