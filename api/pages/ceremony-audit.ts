/** Audit entries the page layer writes around the login, for the ceremony it leads to. */
import type { RequestOrigin } from '../../src/portal/audit.js';
import { ceremonyAccess, loadCeremonyJob, recordCeremonyStep } from '../../src/portal/ceremony.js';
import type { PortalSession } from '../../src/portal/sessions.js';
import { jobDepsOf, type PageDeps } from './context.js';
import { parseCeremonyPath } from './paths.js';

/** A login on the way into a ceremony is a step of that ceremony: record it with level and eID. */
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
  await recordCeremonyStep(deps.db, job, 'SIGNER_LOGGED_IN', origin, {
    level: session.identity.level,
    eidProvider: session.identity.provider,
  });
}
