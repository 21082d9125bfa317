/**
 * The error shape of the contract: `{"error": {"code", "message", "details": [...]}}`. Handlers
 * throw ApiError; the app's error handler turns it (and anything unexpected) into that shape, so
 * no input ever yields a stack trace.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldIssue } from '../../src/job/model.js';
import { formatPath } from '../../src/job/schema.js';
import { firstJsonTextProblem, MAX_JSON_DEPTH } from '../../src/rules/storable-text.js';
import { PolledTooEarlyError, type RefusalReason, RequestRefusedError } from '../../src/services/refusals.js';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string, details: FieldIssue[] = []) =>
  new ApiError(400, code, message, details);
export const notFound = (message = 'no such signature job') => new ApiError(404, 'NOT_FOUND', message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);

/** When a sender may next poll an empty status-change queue (JSON and XML API). */
export const NEXT_POLL_HEADER = 'X-Next-permitted-poll-time';

const REFUSAL_STATUS: Record<RefusalReason, ContentfulStatusCode> = {
  INVALID: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

/** A use case's refusal (src/services/refusals.ts) as the APIs answer it; undefined for any other error. */
export function apiErrorOfRefusal(err: unknown): ApiError | undefined {
  if (err instanceof RequestRefusedError)
    return new ApiError(REFUSAL_STATUS[err.reason], err.code, err.message, err.details);
  if (err instanceof PolledTooEarlyError) {
    return new ApiError(429, 'POLLED_TOO_EARLY', err.message, [], {
      'Retry-After': String(err.waitSeconds),
      [NEXT_POLL_HEADER]: err.nextPermittedAt.toISOString(),
    });
  }
  return undefined;
}

export function errorBody(code: string, message: string, details: FieldIssue[] = []) {
  return { error: { code, message, details } };
}

export function sendError(c: Context, err: ApiError) {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.json(errorBody(err.code, err.message, err.details), err.status);
}

/**
 * 400 for a JSON body with a string PostgreSQL cannot store (NUL, lone surrogate) or nested deeper
 * than any request of the API (which would otherwise overflow the stack further on), naming it.
 */
export function refuseUnstorableStrings(raw: unknown): void {
  const found = firstJsonTextProblem(raw);
  if (!found) return;
  const field = formatPath(found.path) || '(body)';
  if (found.problem === 'TOO_DEEP') {
    throw badRequest('VALIDATION_FAILED', 'the body nests too deeply', [
      { path: field, code: 'TOO_DEEP', message: `${field} nests deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  throw badRequest('VALIDATION_FAILED', 'the body holds text that cannot be stored', [
    {
      path: field,
      code: 'INVALID_CHARACTERS',
      message: `${field} contains a NUL character or a lone UTF-16 surrogate`,
    },
  ]);
}
