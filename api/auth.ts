/**
 * Authentication of sender systems: `Authorization: Bearer <api key>`. The key decides the
 * organisation; a path naming another organisation is refused (403) before anything is read.
 */
import { createMiddleware } from 'hono/factory';
import { organisationOfApiKey } from '../src/services/api-keys.js';
import type { ApiDeps, AppEnv } from './deps.js';
import { ApiError } from './errors.js';

export function requireSender(deps: ApiDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'an API key is required: Authorization: Bearer <key>', [], {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const org = await organisationOfApiKey(deps.db, match[1]!);
    if (!org) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'the API key is unknown or revoked', [], {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    if (org !== c.req.param('org')) {
      throw new ApiError(403, 'FORBIDDEN', 'the API key does not belong to the organisation in the path');
    }
    c.set('org', org);
    await next();
  });
}
