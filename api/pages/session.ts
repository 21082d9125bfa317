/**
 * Page middleware: the language and the browser session from its cookie. The door of every form
 * post (origin, session, CSRF token, then the bounded body) is form-door.ts.
 */
import { createHash } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  createSession,
  type PortalSession,
  SESSION_IDLE_MS,
  touchSession,
} from '../../src/portal/sessions.js';
import { clientAddress } from '../http/client-address.js';
import type { PageDeps, PageEnv } from './context.js';
import { pickLanguage, translator } from './i18n.js';

export const SESSION_COOKIE = 'esign_session';
export const CSRF_FIELD = '_csrf';

/** Language, session and request origin for every page request. */
export function pageContext(deps: PageDeps): MiddlewareHandler<PageEnv> {
  const secureCookies = deps.config.PUBLIC_URL.startsWith('https:');
  return async (c, next) => {
    const lang = pickLanguage(c, secureCookies);
    c.set('lang', lang);
    c.set('t', translator(lang));
    c.set('secureCookies', secureCookies);
    c.set('origin', {
      ip: clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), deps.config.TRUST_PROXY_HOPS ?? 0),
      userAgent: (c.req.header('user-agent') ?? '').slice(0, 300),
    });
    const token = getCookie(c, SESSION_COOKIE);
    c.set('session', token ? await touchSession(deps.db, token) : null);
    await next();
    // Pages show personal data: never cached, never framed by another site.
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    if (!c.res.headers.has('Content-Security-Policy')) {
      c.header('Content-Security-Policy', pageCsp(formTargetsOf(deps)));
    }
  };
}

/**
 * The pages' Content-Security-Policy. Forms post to ourselves only; as Chromium applies
 * form-action to the redirect that follows a post, the eID's logout (`EidProvider.formTargets`)
 * is added, and the direct ceremony adds the sender's exit URLs.
 */
/**
 * Where a form of the pages may lead: the eID's targets, and the approval pages of the remote
 * signing services (the sign button of an advanced signature redirects there).
 */
export function formTargetsOf(deps: {
  eid: { formTargets: string[] };
  signingKeys?: { remote?: ReadonlyMap<string, { origins: string[] }> };
}): string[] {
  const remote = [...(deps.signingKeys?.remote?.values() ?? [])].flatMap((r) => r.origins);
  // `?? []`: a stand-in eID without targets (the OpenAPI test's) means none, as before.
  return [...new Set([...(deps.eid.formTargets ?? []), ...remote])];
}

export function pageCsp(formTargets: string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return `default-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action ${formAction}; base-uri 'none'`;
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? '';
  } catch {
    return ''; // not served by @hono/node-server (app.request in tests)
  }
}

export function setSessionCookie(c: Context<PageEnv>, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('secureCookies'),
    maxAge: Math.floor(SESSION_IDLE_MS / 1000),
  });
}

export function clearSessionCookie(c: Context<PageEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.get('secureCookies') });
}

/** The request's session, created (with its cookie) when the browser has none yet. */
export async function ensureSession(c: Context<PageEnv>, deps: PageDeps): Promise<PortalSession> {
  const existing = c.get('session');
  if (existing) return existing;
  const { token, session } = await createSession(deps.db);
  setSessionCookie(c, token);
  c.set('session', session);
  return session;
}

/**
 * A browser session's mark where it must be recognised again (one "viewed" per session in the
 * audit trail, the sender portal's kept files): derived from the session's hash, so it can never
 * be turned back into a cookie.
 */
export function sessionTag(session: PortalSession | null): string {
  return createHash('sha256')
    .update(`session-tag:${session?.tokenHash ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}
