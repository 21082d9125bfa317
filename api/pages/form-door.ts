/**
 * The door of every page POST, settled before a byte of the body is read: the origin check
 * (hono/csrf refuses a cross-origin form by Origin / Sec-Fetch-Site), then the browser session from
 * its cookie (none: 403, the body never read), then the session's CSRF token. The token comes from
 * the `X-CSRF-Token` header or the query, or else from the form itself, which is then read only
 * because the request has a session. The body is read by the bounded streaming reader with limits
 * that grow with who is asking: small for a session not logged in, a page form's size once logged
 * in, and uploads only for a sender-portal user posting the new-job form. The routes take the
 * parsed form from `c.get('form')`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { MAX_DOCUMENT_BYTES } from '../../src/job/model.js';
import { organisationsOf } from '../../src/portal/roles.js';
import type { PortalSession } from '../../src/portal/sessions.js';
import { type FormBody, type FormLimits, readFormBody } from '../http/form-body.js';
import type { PageDeps, PageEnv } from './context.js';
import { SENDER_BASE } from './paths.js';
import { CSRF_FIELD } from './session.js';

/** Where a script sends the session's CSRF token instead of a form field. */
export const CSRF_HEADER = 'X-CSRF-Token';

/** A page form's names are short (the longest is `signer-9-signatureType`). */
const MAX_NAME_BYTES = 100;

/** The limits of a page form, by who posts it. */
export const PAGE_FORM_LIMITS = {
  /** A session not logged in yet: the one-time code form (token and code). */
  anonymous: {
    maxBytes: 4 * 1024,
    maxFields: 10,
    maxNameBytes: MAX_NAME_BYTES,
    maxValueBytes: 1024,
    maxFiles: 0,
    maxFileBytes: 0,
  },
  /** Logged in: sign, reject with a reason, log out, the sender portal's job actions. */
  loggedIn: {
    maxBytes: 64 * 1024,
    maxFields: 200,
    maxNameBytes: MAX_NAME_BYTES,
    maxValueBytes: 16 * 1024,
    maxFiles: 0,
    maxFileBytes: 0,
  },
  /**
   * A sender-portal user (level 4, SENDER in the organisation) posting the new-job form: ten
   * documents of 3 MB, as the API takes, with the form around them.
   */
  senderUpload: {
    maxBytes: 34 * 1024 * 1024,
    maxFields: 200,
    maxNameBytes: MAX_NAME_BYTES,
    maxValueBytes: 16 * 1024,
    maxFiles: 10,
    maxFileBytes: MAX_DOCUMENT_BYTES,
  },
} as const satisfies Record<string, FormLimits>;

/** The sender portal's new-job form, the one page form with uploads. */
const SENDER_UPLOAD_PATH = new RegExp(`^${SENDER_BASE}/([0-9]{9})/jobs$`);

/** Thrown when the origin, the session or its CSRF token is missing or wrong; rendered as a 403 page. */
export class CsrfError extends Error {
  constructor() {
    super('CSRF check failed');
    this.name = 'CsrfError';
  }
}

export function pageFormDoor(deps: PageDeps): MiddlewareHandler<PageEnv> {
  const publicOrigin = new URL(deps.config.PUBLIC_URL).origin;
  const originCheck = csrf({
    origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin,
  });
  return async (c, next) => {
    if (/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) return next();
    try {
      await originCheck(c, async () => {});
    } catch {
      throw new CsrfError();
    }
    const session = c.get('session');
    if (!session) throw new CsrfError();
    const given = c.req.header(CSRF_HEADER) ?? c.req.query(CSRF_FIELD);
    if (given !== undefined && !sameSecret(given, session.csrfToken)) throw new CsrfError();

    const form = await readPageForm(c, await formLimitsFor(deps, session, c.req.path));
    if (given === undefined) {
      const sent = form[CSRF_FIELD];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) throw new CsrfError();
    }
    c.set('form', form);
    return next();
  };
}

/** The limits for this session on this path (one query, for a logged-in post of the upload form). */
export async function formLimitsFor(
  deps: PageDeps,
  session: PortalSession,
  path: string,
): Promise<FormLimits> {
  const identity = session.identity;
  if (!identity) return PAGE_FORM_LIMITS.anonymous;
  const org = SENDER_UPLOAD_PATH.exec(path)?.[1];
  if (!org || identity.level < 4) return PAGE_FORM_LIMITS.loggedIn;
  const roles = await organisationsOf(deps.db, identity.pid);
  return roles.some((r) => r.org === org && r.role === 'SENDER')
    ? PAGE_FORM_LIMITS.senderUpload
    : PAGE_FORM_LIMITS.loggedIn;
}

/** The form, or none when the post has no body type (a token in the header, nothing else sent). */
async function readPageForm(c: Context<PageEnv>, limits: FormLimits): Promise<FormBody> {
  const contentType = c.req.header('content-type');
  if (contentType === undefined) return Object.create(null);
  return readFormBody(c.req.raw.body, contentType, limits);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
