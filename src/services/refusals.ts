/**
 * Requests a use case refuses, named apart from how an adapter answers them: the JSON API
 * (api/http/errors.ts) and the XML API give each its status code and error shape. The job errors of
 * src/services/job-service.ts (not found, conflict, invalid input) are answered the same way.
 */
import type { FieldIssue } from '../job/model.js';

/** Why: bad input (400), not the caller's to see (403), nothing there (404). */
export type RefusalReason = 'INVALID' | 'FORBIDDEN' | 'NOT_FOUND';

export class RequestRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    /** The error code the answer names, e.g. `MISSING_STATUS_QUERY_TOKEN`. */
    readonly code: string,
    message: string,
    /** The fields at fault, for bad input. */
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'RequestRefusedError';
  }
}

/** Nothing of that name in this job (404 NOT_FOUND): a signer, a result, a status change. */
export const nothingThere = (message: string) => new RequestRefusedError('NOT_FOUND', 'NOT_FOUND', message);

/** An empty status-change queue polled before its next permitted time (the APIs' 429). */
export class PolledTooEarlyError extends Error {
  constructor(
    readonly nextPermittedAt: Date,
    /** Whole seconds until then, at least 1. */
    readonly waitSeconds: number,
  ) {
    super(`the queue was empty; poll again at ${nextPermittedAt.toISOString()}`);
    this.name = 'PolledTooEarlyError';
  }
}
