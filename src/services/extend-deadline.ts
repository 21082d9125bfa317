/** The sender gives a portal job's active group a new deadline (JSON API and sender portal). */
import { extendDeadlineUpdate } from '../../workflows/definitions.js';
import { readActiveGroup } from '../db/job-reads.js';
import { type ExtensionRefusal, extensionRefusal } from '../rules/deadline-extension.js';
import { handleOf, JobConflictError, type JobServiceDeps, runUpdate } from './job-service.js';

/** A new lifetime that would move the deadline earlier (src/rules/deadline-extension.ts). */
export class DeadlineRefusedError extends JobConflictError {
  readonly currentDeadline: string;
  readonly requestedDeadline: string;
  constructor(refusal: ExtensionRefusal) {
    super(refusal.code, refusal.message);
    this.currentDeadline = refusal.currentDeadline;
    this.requestedDeadline = refusal.requestedDeadline;
  }
}

/**
 * Gives the active group a new lifetime from its activation. One that would end before the
 * current deadline is refused here (DeadlineRefusedError, naming both deadlines) from the read
 * model, and by the workflow's validator from its own state should an extension race this one.
 */
export async function extendDeadline(deps: JobServiceDeps, jobId: string, availableSeconds: number) {
  const group = await readActiveGroup(deps.db, jobId);
  const refusal = group && extensionRefusal({ ...group, availableSeconds });
  if (refusal) throw new DeadlineRefusedError(refusal);
  return runUpdate(() =>
    handleOf(deps, jobId).executeUpdate(extendDeadlineUpdate, { args: [{ availableSeconds }] }),
  );
}
