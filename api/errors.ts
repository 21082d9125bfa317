/**
 * The error shape of the contract: `{"error": {"code", "message", "details": [...]}}`. Handlers
 * throw ApiError; the app's error handler turns it (and anything unexpected) into that shape, so
 * no input ever yields a stack trace.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldIssue } from '../src/job/model.js';
import { formatPath } from '../src/job/schema.js';
import { firstJsonTextProblem, MAX_JSON_DEPTH } from '../src/rules/storable-text.js';

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
