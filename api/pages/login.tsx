/**
 * Logging in through the configured OpenID Connect provider, and out again. GET /login starts a
 * login: its secrets go into a signed cookie (login-transaction.ts), the browser to the provider.
 * The provider brings it back to /login/callback, where the answer is validated; only then is a
 * session with the identity written (a fresh id, keeping the grants of any session before). A
 * refused login is a page saying why, never a session.
 */
import { type Context, Hono } from 'hono';
import { LOGGED_OUT_PATH, LOGIN_CALLBACK_PATH, type LoginRefusal } from '../../src/eid/index.js';
import type { AuthenticationLevel } from '../../src/job/model.js';
import { personActor } from '../../src/portal/audit.js';
import { endSession, logInSession } from '../../src/portal/sessions.js';
import { recordLoginForCeremonies } from './ceremony-audit.js';
import type { PageDeps, PageEnv } from './context.js';
import { messagePage } from './layout.js';
import { saveLoginTransaction, takeLoginTransaction } from './login-transaction.js';
import { safeNext } from './next-path.js';
import { clearSessionCookie, setSessionCookie } from './session.js';

export const LOGIN_PATH = '/login';

export function loginUrl(next: string, level?: AuthenticationLevel): string {
  return `${LOGIN_PATH}?next=${encodeURIComponent(next)}${level ? `&level=${level}` : ''}`;
}

const REFUSAL_STATUS: Record<LoginRefusal, 400 | 403> = {
  STATE: 400,
  CANCELLED: 403,
  TOKEN: 403,
  LEVEL_TOO_LOW: 403,
  IDENTITY: 403,
};

export function loginRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();
  const callbackUrl = `${deps.config.PUBLIC_URL}${LOGIN_CALLBACK_PATH}`;

  const refused = (
    c: Context<PageEnv>,
    refusal: LoginRefusal,
    retry: { next: string; level: AuthenticationLevel },
  ) => {
    const t = c.get('t');
    return messagePage(
      c,
      REFUSAL_STATUS[refusal],
      t('loginRefusedTitle'),
      t(`loginRefused${refusal}`, { level: retry.level }),
      <p>
        <a class="button" href={loginUrl(retry.next, retry.level)}>
          {t('loginTryAgain')}
        </a>
      </p>,
    );
  };

  /** Starts a login at the level asked for (3 unless the page needs 4); writes no database row. */
  app.get(LOGIN_PATH, async (c) => {
    const next = safeNext(c.req.query('next'), deps.config.PUBLIC_URL);
    const minimumLevel: AuthenticationLevel = c.req.query('level') === '4' ? 4 : 3;
    let start: Awaited<ReturnType<typeof deps.eid.startLogin>>;
    try {
      start = await deps.eid.startLogin({ minimumLevel, callbackUrl, locale: c.get('lang') });
    } catch (err) {
      // The provider refused or did not answer the pushed request: say so, not "error".
      deps.log.error({ err }, 'login could not be started at the provider');
      const t = c.get('t');
      return messagePage(c, 503, t('loginUnavailableTitle'), t('loginUnavailableText'));
    }
    await saveLoginTransaction(c, deps, { ...start.secrets, minimumLevel, next });
    return c.redirect(start.url, 302);
  });

  app.get(LOGIN_CALLBACK_PATH, async (c) => {
    const tx = await takeLoginTransaction(c, deps);
    if (!tx) {
      deps.log.warn({ refusal: 'STATE' }, 'login refused: no login under way in this browser');
      return refused(c, 'STATE', { next: '/portal', level: 3 });
    }
    const next = safeNext(tx.next, deps.config.PUBLIC_URL);
    // The URL the provider redirected to, as registered (the request's own host may be a proxy's).
    const answer = new URL(`${callbackUrl}${new URL(c.req.url).search}`);
    const result = await deps.eid.finishLogin(answer, tx);
    if (!result.ok) {
      deps.log.warn({ refusal: result.refusal, detail: result.detail }, 'login refused');
      return refused(c, result.refusal, { next, level: tx.minimumLevel });
    }
    const { identity } = result;
    const { token, session } = await logInSession(deps.db, c.get('session'), identity, result.idToken);
    setSessionCookie(c, token);
    c.set('session', session);
    // Who logged in how, never the number itself.
    deps.log.info(
      {
        person: personActor(identity.pid),
        provider: identity.provider,
        level: identity.level,
        acr: identity.acr,
        amr: identity.amr,
        sid: identity.sid,
      },
      'logged in',
    );
    await recordLoginForCeremonies(deps, session, next, c.get('origin'));
    return c.redirect(next, 303);
  });

  /** Ends our session, then the provider's (end_session_endpoint), which sends the browser back. */
  app.post('/logout', async (c) => {
    const session = c.get('session');
    if (session) await endSession(deps.db, session);
    clearSessionCookie(c);
    const providerLogout = session?.idToken
      ? deps.eid.logoutUrl(session.idToken, `${deps.config.PUBLIC_URL}${LOGGED_OUT_PATH}`)
      : undefined;
    return c.redirect(providerLogout ?? LOGGED_OUT_PATH, 303);
  });

  app.get(LOGGED_OUT_PATH, (c) => {
    const t = c.get('t');
    return messagePage(c, 200, t('loggedOutTitle'), t('loggedOutText'));
  });

  return app;
}
