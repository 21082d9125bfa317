/**
 * 405 Method Not Allowed, with `Allow`, for a method no route of the app serves on a path some
 * route does serve (TRACE, PUT, OPTIONS, ... on a known path), as RFC 9110 asks; 404 stays for
 * paths nothing serves. It runs first, so the answer does not depend on credentials or CSRF.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { PatternRouter } from 'hono/router/pattern-router';
import type { AppEnv } from '../deps.js';
import { errorBody } from './errors.js';

/** Hono registers middleware (`app.use`) under this method; it is no route of its own. */
const MIDDLEWARE_METHOD = 'ALL';

export function methodNotAllowed(app: Hono<AppEnv>): MiddlewareHandler<AppEnv> {
  // Built on the first request: by then every route of the app is registered.
  let router: PatternRouter<string> | undefined;
  const methodsFor = (path: string): Set<string> => {
    if (!router) {
      router = new PatternRouter<string>();
      for (const r of app.routes)
        if (r.method !== MIDDLEWARE_METHOD) router.add(MIDDLEWARE_METHOD, r.path, r.method);
    }
    const methods = new Set(router.match(MIDDLEWARE_METHOD, path)[0].map(([method]) => method));
    // Hono answers HEAD with the GET route.
    if (methods.has('GET')) methods.add('HEAD');
    return methods;
  };
  return async (c, next) => {
    const methods = methodsFor(c.req.path);
    if (methods.size === 0 || methods.has(c.req.method)) return next();
    const allow = [...methods].sort().join(', ');
    c.header('Allow', allow);
    return c.json(
      errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed here; allowed: ${allow}`),
      405,
    );
  };
}
