/**
 * The login under way, kept in the browser rather than in a session row: the OpenID Connect
 * `state`, `nonce` and PKCE verifier, the level asked for and the page to return to, in a
 * short-lived HttpOnly cookie signed with a key all API processes share (service_secrets). No
 * database row exists until a login succeeds, so anonymous visits to /login write nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { LoginSecrets } from '../../src/eid/index.js';
import type { AuthenticationLevel } from '../../src/job/model.js';
import { serviceSecret } from '../../src/portal/service-secrets.js';
import type { PageDeps, PageEnv } from './context.js';

export const LOGIN_COOKIE = 'esign_login';
/** Time to finish the login at the provider. */
const LOGIN_TTL_SECONDS = 10 * 60;
/** The cookie is sent to the callback only. */
const COOKIE_PATH = '/login/callback';

export interface LoginTransaction extends LoginSecrets {
  minimumLevel: AuthenticationLevel;
  next: string;
  /** Unix seconds. */
  expiresAt: number;
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
const keyOf = (deps: PageDeps) => serviceSecret(deps.db, 'login-transaction');

export async function saveLoginTransaction(
  c: Context<PageEnv>,
  deps: PageDeps,
  tx: Omit<LoginTransaction, 'expiresAt'>,
): Promise<void> {
  const payload = Buffer.from(
    JSON.stringify({ ...tx, expiresAt: Math.floor(Date.now() / 1000) + LOGIN_TTL_SECONDS }),
  ).toString('base64url');
  setCookie(c, LOGIN_COOKIE, `${payload}.${mac(await keyOf(deps), payload)}`, {
    path: COOKIE_PATH,
    httpOnly: true,
    // Lax: the provider brings the browser back with a top-level GET, which carries it.
    sameSite: 'Lax',
    secure: c.get('secureCookies'),
    maxAge: LOGIN_TTL_SECONDS,
  });
}

/** The signed, unexpired transaction of this browser (removing the cookie), or undefined. */
export async function takeLoginTransaction(
  c: Context<PageEnv>,
  deps: PageDeps,
): Promise<LoginTransaction | undefined> {
  const value = getCookie(c, LOGIN_COOKIE);
  if (value === undefined) return undefined;
  deleteCookie(c, LOGIN_COOKIE, { path: COOKIE_PATH, secure: c.get('secureCookies') });
  const [payload = '', given = ''] = value.split('.');
  const expected = Buffer.from(mac(await keyOf(deps), payload));
  if (expected.length !== given.length || !timingSafeEqual(expected, Buffer.from(given))) return undefined;
  try {
    const tx = JSON.parse(Buffer.from(payload, 'base64url').toString()) as LoginTransaction;
    return tx.expiresAt > Date.now() / 1000 ? tx : undefined;
  } catch {
    return undefined;
  }
}
