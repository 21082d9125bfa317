/**
 * Headers every answer carries, whatever route made it (errors and 404s included): a route that
 * knows better sets its own and keeps it; this fills in only what is missing.
 *
 * - `Cache-Control: no-store`: answers of the sender API and the XML API carry identity numbers,
 *   and pages show personal data; no shared or browser cache may keep them. Static assets set
 *   their own caching.
 * - `X-Content-Type-Options: nosniff`: a JSON answer holding text a sender wrote is never run as
 *   HTML or script because a browser guessed its type.
 * - `Content-Security-Policy`: for HTML the policy the app passes in (the pages' own: own origin
 *   only, no framing; this module imports no adapter); for anything else nothing may load and
 *   nothing may frame it.
 * - `X-Frame-Options`: the same framing rule for browsers that predate `frame-ancestors`: DENY,
 *   or SAMEORIGIN where the policy allows our own pages to frame the answer (a ceremony document).
 * - `Referrer-Policy: same-origin`: links to other sites never carry a job's URL.
 */
import type { MiddlewareHandler } from 'hono';

/** For answers that are not HTML: nothing loads from them, nobody frames them. */
export const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(htmlCsp: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    const setDefault = (name: string, value: string) => {
      if (headers.has(name)) return;
      // Set on the answer's own headers: `c.header` rebuilds a finished answer from the headers it
      // was created with (@hono/node-server's light Response), losing any a route set on it
      // afterwards (the XML API's X-Next-permitted-poll-time). An immutable set (a Response.redirect)
      // falls back to the rebuild, which such an answer survives whole.
      try {
        headers.set(name, value);
      } catch {
        c.header(name, value);
      }
    };
    setDefault('Cache-Control', 'no-store');
    setDefault('X-Content-Type-Options', 'nosniff');
    setDefault('Referrer-Policy', 'same-origin');
    const html = /^text\/html\b/i.test(headers.get('Content-Type') ?? '');
    setDefault('Content-Security-Policy', html ? htmlCsp : NON_HTML_CSP);
    const framedBySelf = /frame-ancestors\s+'self'/.test(headers.get('Content-Security-Policy') ?? '');
    setDefault('X-Frame-Options', framedBySelf ? 'SAMEORIGIN' : 'DENY');
  };
}
