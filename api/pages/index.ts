/**
 * The browser side of the service: the signing ceremony (direct flow), the signing portal, the
 * sender portal and the eID login, server-rendered. Mounted by the app with
 * `app.route('/', pageRoutes(deps))`. Errors render as pages, never as JSON or stack traces.
 */
import { Hono } from 'hono';
import { JobConflictError, JobNotFoundError } from '../../src/services/job-service.js';
import { abortedStatus, isBodyAborted } from '../http/body-read.js';
import { FormBodyError } from '../http/form-body.js';
import { assetRoutes } from './assets.js';
import { ceremonyRoutes } from './ceremony.js';
import type { PageDeps, PageEnv } from './context.js';
import { CsrfError, pageFormDoor } from './form-door.js';
import { translator } from './i18n.js';
import { messagePage, notFoundPage } from './layout.js';
import { loginRoutes } from './login.js';
import { portalRoutes } from './portal.js';
import { SENDER_PATH, senderRoutes } from './sender.js';
import { pageContext } from './session.js';

export type { PageDeps } from './context.js';

/** The path prefixes served here; the middleware runs only on them, never on the API. */
const PAGE_PREFIXES = ['/sign', '/portal', SENDER_PATH, '/login', '/logout'] as const;

export function pageRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();
  app.route('/', assetRoutes());

  // `/prefix/*` matches `/prefix` itself too: each middleware runs once per request (the door
  // reads the body, which a second run would find consumed).
  for (const prefix of PAGE_PREFIXES) {
    app.use(`${prefix}/*`, pageContext(deps));
    // Every POST: origin, session and token before the body, then the body within its limits.
    app.use(`${prefix}/*`, pageFormDoor(deps));
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
    if (err instanceof FormBodyError) {
      const limit = err.limit === undefined ? '' : sizeOrCount(err.code, err.limit);
      return messagePage(
        c,
        err.status,
        t('formRefusedTitle'),
        t(`form${err.code}`, { field: err.field ?? '', limit }),
      );
    }
    if (isBodyAborted(err, c)) {
      // The client went away or stalled: theirs, not ours (info, and a 4xx in the metrics).
      deps.log.info({ path: c.req.path, method: c.req.method }, 'form body not received in full');
      return messagePage(c, abortedStatus(err), t('formRefusedTitle'), t('formAborted'));
    }
    if (err instanceof JobNotFoundError) return notFoundPage(c);
    if (err instanceof JobConflictError) return messagePage(c, 409, t('conflictTitle'), err.message);
    deps.log.error({ err, path: c.req.path, method: c.req.method }, 'page error');
    return messagePage(c, 500, t('errorTitle'), t('errorText'));
  });
  return app;
}

/** A limit as the page says it: bytes in KB or MB, counts as they are. */
function sizeOrCount(code: FormBodyError['code'], limit: number): string {
  if (code === 'TOO_MANY_FIELDS' || code === 'TOO_MANY_FILES') return String(limit);
  if (limit >= 1024 * 1024) return `${Math.round(limit / (1024 * 1024))} MB`;
  return limit >= 1024 ? `${Math.round(limit / 1024)} KB` : `${limit} B`;
}
