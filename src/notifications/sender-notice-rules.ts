/**
 * When the sender is warned (docs/domain.md, "Notices"). Pure functions without I/O, so the
 * workflow may import this file to plan its timers.
 */

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A deadline warning is only worth sending when the deadline was more than 48 hours away. */
export const DEADLINE_WARNING_MIN_LIFETIME_MS = 48 * HOUR_MS;
export const DEADLINE_WARNING_BEFORE_MS = 24 * HOUR_MS;
export const DOCUMENTS_EXPIRY_WARNING_BEFORE_MS = 4 * DAY_MS;
/** The key of the sender's one "documents expire soon" notice of a job. */
export const DOCUMENTS_EXPIRE_NOTICE_KEY = 'documents-expire';

/** When to warn the sender of a group's deadline, or `undefined` when no warning is due. */
export function deadlineWarningAt(activatedAt: Date, deadline: Date): Date | undefined {
  if (deadline.getTime() - activatedAt.getTime() <= DEADLINE_WARNING_MIN_LIFETIME_MS) return undefined;
  return new Date(deadline.getTime() - DEADLINE_WARNING_BEFORE_MS);
}

/**
 * When to warn the sender that the documents will be deleted (4 days before); the activity
 * sends it only if nothing was downloaded by then.
 */
export function documentsExpiryWarningAt(deleteAt: Date): Date {
  return new Date(deleteAt.getTime() - DOCUMENTS_EXPIRY_WARNING_BEFORE_MS);
}
