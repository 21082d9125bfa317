/** Audit entries the page layer writes around the login, for the ceremony it leads to. */
import type { RequestOrigin } from '../../src/portal/audit.js';
import { ceremonyAccess, loadCeremonyJob, recordCeremonyStep } from '../../src/portal/ceremony.js';
import type { PortalSession } from '../../src/portal/sessions.js';
import { jobDepsOf, type PageDeps } from './context.js';
import { parseCeremonyPath } from './paths.js';

/**
 * A login on the way into a ceremony is a step of that ceremony: record it with the level, the
 * eID service and what it said of the login (acr, the eID used as amr, its session id sid).
 */
export async function recordLoginForCeremonies(
  deps: PageDeps,
  session: PortalSession,
  next: string,
  origin: RequestOrigin,
): Promise<void> {
  const target = parseCeremonyPath(next);
  if (!target || !session.identity) return;
  const job = await loadCeremonyJob(jobDepsOf(deps), target.jobId, target.signerId);
  if (!job) return;
  // Only for a ceremony this browser may reach: a made-up `next` must not write to a job's trail.
  const access = ceremonyAccess(job, session);
  if (!access.ok && (access.reason === 'NOT_FOUND' || access.reason === 'LOGIN_REQUIRED')) return;
  const { level, provider, acr, amr, sid } = session.identity;
  await recordCeremonyStep(deps.db, job, 'SIGNER_LOGGED_IN', origin, {
    level,
    eidProvider: provider,
    ...(acr ? { acr } : {}),
    ...(amr ? { amr } : {}),
    ...(sid ? { sid } : {}),
  });
}
