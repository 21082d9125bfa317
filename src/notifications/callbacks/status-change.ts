/**
 * One delivery of a recorded status change to the job's callback URL: what the workflow's
 * retried activity and the sender's redelivery request both do.
 */

import type { Db } from '../../db/index.js';
import { storedJobRequest } from '../../db/job-reads.js';
import { jobOwnerAndRequest } from '../../db/jobs.js';
import { deliverCallback, listCallbackDeliveries } from './deliver.js';
import { activeCallbackSecrets, createCallbackSecret } from './secrets.js';
import type { PrivateTargetPolicy } from './target-guard.js';

export class NoCallbackUrlError extends Error {
  constructor() {
    super('the job was created without a callbackUrl');
    this.name = 'NoCallbackUrlError';
  }
}

/**
 * Signs and POSTs status change `seq` of the job (default: the newest) once, logging the attempt.
 * Throws what `deliverCallback` throws (a failed attempt), NoCallbackUrlError, or returns false
 * when the job has no such change.
 */
export async function deliverStatusChange(
  db: Db,
  /** `attempt`: Temporal's attempt number; absent (a redelivery on request), the next in the log. */
  args: { jobId: string; seq?: number; attempt?: number },
  allowPrivateTargets: PrivateTargetPolicy,
): Promise<{ seq: number } | false> {
  const job = await jobOwnerAndRequest(db, args.jobId);
  const url = storedJobRequest(job.request).callbackUrl;
  if (!url) throw new NoCallbackUrlError();
  let query = db.selectFrom('status_changes').select(['seq', 'payload']).where('job_id', '=', args.jobId);
  query = args.seq !== undefined ? query.where('seq', '=', args.seq) : query.orderBy('seq', 'desc').limit(1);
  const change = await query.executeTakeFirst();
  if (!change) return false;
  // The organisation's first callback makes its first secret (the CLI shows and rotates them).
  let secrets = await activeCallbackSecrets(db, job.org_number);
  if (secrets.length === 0) secrets = [await createCallbackSecret(db, job.org_number)];
  const attempt =
    args.attempt ??
    (await listCallbackDeliveries(db, args.jobId)).filter((d) => d.changeSeq === change.seq).length + 1;
  await deliverCallback(
    {
      jobId: args.jobId,
      changeSeq: change.seq,
      url,
      payload: change.payload,
      secrets: secrets.map((s) => s.secret),
      idempotencyKey: `${args.jobId}:${change.seq}`,
      attempt,
    },
    { db, allowPrivateTargets },
  );
  return { seq: change.seq };
}
