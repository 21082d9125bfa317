/**
 * The sender API's rate limit per organisation (after authentication, so nobody can get another
 * organisation blocked). Counted in PostgreSQL so it holds across API processes; a block seen by
 * this process is also remembered here, so a blocked sender costs no database round trip.
 *
 * A sender's own limit (set by the operator, docs/operations.md#admin-cli) comes with its
 * credentials: authentication reads it in the query that finds the organisation, so a change takes
 * effect at the sender's next request on every API process, and costs no query of its own.
 */
import { createMiddleware } from 'hono/factory';
import type { Config } from '../../src/config.js';
import { consumeRequest, DEFAULT_RATE_LIMIT, senderLimit } from '../../src/services/rate-limit.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { ApiError } from './errors.js';

function tooManyRequests(blockedUntil: Date) {
  const retryAfter = Math.max(1, Math.ceil((blockedUntil.getTime() - Date.now()) / 1000));
  return new ApiError(
    429,
    'RATE_LIMITED',
    `too many requests: the organisation is blocked until ${blockedUntil.toISOString()}`,
    [],
    { 'Retry-After': String(retryAfter) },
  );
}

/** The limit the configuration sets (RATE_LIMIT_PER_SECOND 0: none), for ApiDeps.rateLimit. */
export function rateLimitFromConfig(
  c: Pick<Config, 'RATE_LIMIT_PER_SECOND' | 'RATE_LIMIT_BLOCK_SECONDS'>,
): ApiDeps['rateLimit'] {
  return c.RATE_LIMIT_PER_SECOND === 0
    ? false
    : { requestsPerSecond: c.RATE_LIMIT_PER_SECOND, blockSeconds: c.RATE_LIMIT_BLOCK_SECONDS };
}

export function rateLimitSenders(deps: ApiDeps) {
  // `false` (tests, benchmarks, RATE_LIMIT_PER_SECOND=0) turns every limit off, senders' own too.
  const configured = deps.rateLimit === false ? null : { ...DEFAULT_RATE_LIMIT, ...deps.rateLimit };
  const knownBlocks = new Map<string, Date>();
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!configured) return next();
    const limit = senderLimit(c.get('sender')?.rateLimitPerSecond, configured);
    if (!limit) return next(); // the operator lifted this sender's limit (0)
    const org = c.get('org');
    const known = knownBlocks.get(org);
    if (known && known.getTime() > Date.now()) throw tooManyRequests(known);
    knownBlocks.delete(org);
    const decision = await consumeRequest(deps.db, `sender:${org}`, limit);
    if (!decision.allowed) {
      knownBlocks.set(org, decision.blockedUntil);
      throw tooManyRequests(decision.blockedUntil);
    }
    return next();
  });
}
