/**
 * Errors outside the pages' own routes (an unknown path, an unexpected failure) as a browser
 * should see them: an HTML page in the pages' style with a way on. API clients, and anything that
 * does not ask for HTML, keep the contract's JSON error.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { PageEnv } from './context.js';
import { fromAcceptLanguage, LANG_COOKIE, LANGUAGES, type Lang, translator } from './i18n.js';
import { messagePage } from './layout.js';

/** A browser's navigation (Accept names text/html) outside the API's paths. */
export function wantsHtml(c: Context): boolean {
  if (c.req.path.startsWith('/api/') || c.req.path === '/api') return false;
  return /\btext\/html\b/.test(c.req.header('accept') ?? '');
}

/** The 404 or 500 page, in the language the browser chose before or asks for. */
export function browserErrorPage(c: Context, status: 404 | 500) {
  const page = c as unknown as Context<PageEnv>;
  const cookie = getCookie(c, LANG_COOKIE);
  const lang: Lang = LANGUAGES.includes(cookie as Lang)
    ? (cookie as Lang)
    : (fromAcceptLanguage(c.req.header('accept-language')) ?? 'nb');
  const t = translator(lang);
  page.set('lang', lang);
  page.set('t', t);
  page.set('session', null);
  c.header('Cache-Control', 'no-store');
  return status === 404
    ? messagePage(page, 404, t('notFoundTitle'), t('notFoundText'))
    : messagePage(page, 500, t('errorTitle'), t('errorText'));
}
