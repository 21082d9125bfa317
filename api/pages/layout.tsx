/**
 * The shared page frame and small building blocks: a skip link, the header with the language
 * switch and the logged-in person, one <main> with one <h1>, and a form that always carries the
 * CSRF token. Plain HTML forms and links: everything works with the keyboard and without scripts.
 */
import type { Context } from 'hono';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PageEnv } from './context.js';
import type { Lang } from './i18n.js';
import { PORTAL_PATH, SENDER_BASE } from './paths.js';
import { CSRF_FIELD } from './session.js';

export const STYLESHEET_PATH = '/assets/pages.css';

interface LayoutProps {
  c: Context<PageEnv>;
  title: string;
  /** Module scripts from our own origin (the document viewer, the waiting page's watch). */
  scripts?: string[];
}

/** The current path with `lang` set, for the language switch. */
function withLang(c: Context<PageEnv>, lang: string): string {
  const url = new URL(c.req.url);
  url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}`;
}

export const Layout: FC<PropsWithChildren<LayoutProps>> = ({ c, title, scripts = [], children }) => {
  const t = c.get('t');
  const session = c.get('session');
  const identity = session?.identity;
  return (
    <html lang={c.get('lang')}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} – ${t('appName')}`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        {/* No favicon request (it would be a 404 in every log). */}
        <link rel="icon" href="data:," />
        {scripts.map((src) => (
          <script type="module" src={src} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('skipToContent')}
        </a>
        <header class="site">
          <span class="brand">{t('appName')}</span>
          <nav aria-label="Språk / Language">
            <a
              href={withLang(c, t('otherLanguageCode'))}
              lang={t('otherLanguageCode')}
              hreflang={t('otherLanguageCode')}
            >
              {t('otherLanguage')}
            </a>
          </nav>
          {identity && session ? (
            <div class="who">
              <span>{t('loggedInAs', { name: identity.name, level: identity.level })}</span>
              <form method="post" action="/logout" class="inline">
                <CsrfField token={session.csrfToken} />
                <button type="submit" class="link">
                  {t('logOut')}
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
};

export const CsrfField: FC<{ token: string }> = ({ token }) => (
  <input type="hidden" name={CSRF_FIELD} value={token} />
);

/** A message shown above a page's content (after an action, or its refusal). */
export type PageNotice = { kind: 'success' | 'error' | 'info'; text: string };

/** A message box announced to screen readers. */
export const Notice: FC<PropsWithChildren<{ kind?: 'info' | 'error' | 'success' }>> = ({
  kind = 'info',
  children,
}) => (
  <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
);

/** Renders a page as a complete HTML document. */
export async function renderPage(c: Context<PageEnv>, page: Child, status: ContentfulStatusCode = 200) {
  return c.html(`<!DOCTYPE html>${await Promise.resolve(page as string)}`, status);
}

/**
 * A page that only says something: errors, used links, confirmations. Each has a way on: the
 * portal's, or `wayOn` where the person came from elsewhere (a sender's site).
 */
export function messagePage(
  c: Context<PageEnv>,
  status: ContentfulStatusCode,
  title: string,
  text: string,
  extra?: Child,
  wayOn?: Child,
) {
  return renderPage(
    c,
    <Layout c={c} title={title}>
      <p>{text}</p>
      {extra}
      {wayOn ?? <WayOn c={c} />}
    </Layout>,
    status,
  );
}

/** Where a dead end leads: staff back to the sender portal, everyone else to their signature jobs. */
const WayOn: FC<{ c: Context<PageEnv> }> = ({ c }) => {
  const t = c.get('t');
  const staff = c.req.path.startsWith(SENDER_BASE);
  return (
    <p class="way-on">
      <a href={staff ? SENDER_BASE : PORTAL_PATH}>{staff ? t('toSenderPortal') : t('toPortal')}</a>
    </p>
  );
};

/** The same answer for what does not exist and what this browser may not see. */
export function notFoundPage(c: Context<PageEnv>) {
  return messagePage(c, 404, c.get('t')('notFoundTitle'), c.get('t')('notFoundText'));
}

/** A date and time in Norwegian time, in the page's language. */
export function formatTime(lang: Lang, at: Date | string): string {
  return new Intl.DateTimeFormat(lang === 'nb' ? 'nb-NO' : 'en-GB', {
    timeZone: 'Europe/Oslo',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(at));
}
