/**
 * The browser side of the service: the signing ceremony (direct flow), the signing portal, the
 * sender portal and the eID login, server-rendered. Mounted by the app with
 * `app.route('/', pageRoutes(deps))`. Errors render as pages, never as JSON or stack traces.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { JobConflictError, JobNotFoundError } from '../../src/services/signature-jobs.js';
import { assetRoutes } from './assets.js';
import { ceremonyRoutes } from './ceremony.js';
import type { PageDeps, PageEnv } from './context.js';
import { translator } from './i18n.js';
import { messagePage, notFoundPage } from './layout.js';
import { loginRoutes } from './login.js';
import { portalRoutes } from './portal.js';
import { SENDER_PATH, senderRoutes } from './sender.js';
import { CsrfError, csrfProtection, pageContext } from './session.js';

export type { PageDeps } from './context.js';

/**
 * The sender portal's uploads: ten documents of 3 MB with the form around them, as the API's
 * MAX_BODY_BYTES (api/app.ts; not imported, as the app imports the pages). Other forms are small.
 */
const MAX_UPLOAD_BYTES = 34 * 1024 * 1024;
const MAX_FORM_BYTES = 64 * 1024;

/** The path prefixes served here; the middleware runs only on them, never on the API. */
const PAGE_PREFIXES = ['/sign', '/portal', SENDER_PATH, '/login', '/logout'] as const;

export function pageRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();
  app.route('/', assetRoutes());

  const tooLarge = (c: Parameters<Parameters<typeof bodyLimit>[0]['onError'] & {}>[0]) =>
    c.text('The form is too large.', 413);
  app.use(`${SENDER_PATH}/*`, bodyLimit({ maxSize: MAX_UPLOAD_BYTES, onError: tooLarge }));
  for (const prefix of PAGE_PREFIXES) {
    for (const path of [prefix, `${prefix}/*`]) {
      if (prefix !== SENDER_PATH) app.use(path, bodyLimit({ maxSize: MAX_FORM_BYTES, onError: tooLarge }));
      app.use(path, pageContext(deps));
      app.use(path, csrfProtection(deps));
    }
  }

  app.route('/', loginRoutes(deps));
  app.route('/', ceremonyRoutes(deps));
  app.route('/', portalRoutes(deps));
  app.route('/', senderRoutes(deps));

  app.onError((err, c) => {
    // The page context may be missing when the error came before it ran.
    const t = c.var.t ?? translator('nb');
    if (!c.var.t) c.set('t', t);
    if (err instanceof CsrfError) return messagePage(c, 403, t('csrfTitle'), t('csrfText'));
    if (err instanceof JobNotFoundError) return notFoundPage(c);
    if (err instanceof JobConflictError) return messagePage(c, 409, t('conflictTitle'), err.message);
    deps.log.error({ err, path: c.req.path, method: c.req.method }, 'page error');
    return messagePage(c, 500, t('errorTitle'), t('errorText'));
  });
  return app;
}
