/**
 * Logging in with the configured eID and out again. The test eID's form is on our own page; a
 * provider that logs in elsewhere (OpenID Connect) is sent to and comes back to /login/callback
 * with a `state` bound to this browser's session and the page to return to.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { TEST_LOGIN_FIELDS } from '../../src/eid/index.js';
import { endSession, logInSession, type PortalSession } from '../../src/portal/sessions.js';
import { recordLoginForCeremonies } from './ceremony-audit.js';
import type { PageDeps, PageEnv } from './context.js';
import { CsrfField, Layout, Notice, renderPage } from './layout.js';
import { clearSessionCookie, ensureSession, setSessionCookie } from './session.js';

export const LOGIN_PATH = '/login';

/** Only our own paths are followed after login (no open redirect to another site). */
export function safeNext(next: string | undefined, fallback = '/portal'): string {
  return next && /^\/(?![/\\])/.test(next) ? next : fallback;
}

export function loginUrl(next: string, level?: 3 | 4): string {
  return `${LOGIN_PATH}?next=${encodeURIComponent(next)}${level ? `&level=${level}` : ''}`;
}

const stateOf = (session: PortalSession, next: string) =>
  `${Buffer.from(next).toString('base64url')}.${createHmac('sha256', session.csrfToken).update(next).digest('base64url')}`;

function nextFromState(session: PortalSession, state: string): string | undefined {
  const [encoded = '', mac = ''] = state.split('.');
  const next = Buffer.from(encoded, 'base64url').toString();
  const expected = Buffer.from(stateOf(session, next).split('.')[1]!);
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? next : undefined;
}

export function loginRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();

  const form = (c: Context<PageEnv>, session: PortalSession, next: string, level: 3 | 4, error?: string) => {
    const t = c.get('t');
    return renderPage(
      c,
      <Layout c={c} title={t('loginTitle')}>
        <p>{t('loginIntro')}</p>
        {level === 4 ? <p>{t('loginRequiredLevel', { level })}</p> : null}
        {error ? <Notice kind="error">{error}</Notice> : null}
        <form method="post" action={LOGIN_PATH}>
          <CsrfField token={session.csrfToken} />
          <input type="hidden" name="next" value={next} />
          <label for="pid">{t('pidLabel')}</label>
          <input
            type="text"
            id="pid"
            name={TEST_LOGIN_FIELDS.pid}
            inputmode="numeric"
            autocomplete="off"
            required
            aria-invalid={error ? 'true' : undefined}
          />
          <fieldset>
            <legend>{t('levelLegend')}</legend>
            {([3, 4] as const).map((l) => (
              <label class="radio">
                <input type="radio" name={TEST_LOGIN_FIELDS.level} value={String(l)} checked={l === level} />
                {t(l === 3 ? 'level3' : 'level4')}
              </label>
            ))}
          </fieldset>
          <button type="submit">{t('loginButton')}</button>
        </form>
      </Layout>,
      error ? 400 : 200,
    );
  };

  /** Ends the login: a fresh session id with the identity, then on to where the person was going. */
  const complete = async (c: Context<PageEnv>, params: Record<string, string>, next: string) => {
    const session = await ensureSession(c, deps);
    const result = await deps.eid.finishLogin(params);
    if (!result.ok) {
      const t = c.get('t');
      const message =
        result.code === 'INVALID_IDENTITY_NUMBER'
          ? t('loginInvalidPid', { reason: result.message.replace(/^.*: /, '') })
          : result.code === 'INVALID_LEVEL'
            ? t('loginInvalidLevel')
            : t('loginFailed');
      return form(c, session, next, params.level === '3' ? 3 : 4, message);
    }
    const { token, session: loggedIn } = await logInSession(deps.db, session, result.identity);
    setSessionCookie(c, token);
    c.set('session', loggedIn);
    await recordLoginForCeremonies(deps, loggedIn, next, c.get('origin'));
    return c.redirect(next, 303);
  };

  app.get(LOGIN_PATH, async (c) => {
    const session = await ensureSession(c, deps);
    const next = safeNext(c.req.query('next'));
    const level = c.req.query('level') === '3' ? 3 : 4;
    const start = deps.eid.startLogin({
      state: stateOf(session, next),
      callbackUrl: `${deps.config.PUBLIC_URL}${LOGIN_PATH}/callback`,
      minimumLevel: level,
    });
    if (start.kind === 'redirect') return c.redirect(start.url, 302);
    return form(c, session, next, level);
  });

  app.post(LOGIN_PATH, async (c) => {
    const body = await c.req.parseBody();
    const fields = Object.fromEntries(
      Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    return complete(c, fields, safeNext(fields.next));
  });

  app.get(`${LOGIN_PATH}/callback`, async (c) => {
    const session = c.get('session');
    const next = session ? nextFromState(session, c.req.query('state') ?? '') : undefined;
    if (!next) return c.redirect(LOGIN_PATH, 303);
    return complete(c, c.req.query(), safeNext(next));
  });

  app.post('/logout', async (c) => {
    const session = c.get('session');
    if (session) await endSession(deps.db, session);
    clearSessionCookie(c);
    return c.redirect('/portal', 303);
  });

  return app;
}
