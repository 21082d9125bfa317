/**
 * Where the browser may be sent after a login: only a path of this service. The value is decoded
 * as a browser would read it, and refused when it holds control characters (a tab or newline that
 * browsers drop, turning `/\t/evil.example` into `//evil.example`), backslashes (read as slashes),
 * or starts with `//`; what is left is resolved against the service's URL and must stay on its origin.
 */
/** Control characters (U+0000 to U+001F, U+007F) or a backslash anywhere. */
const isUnsafe = (text: string) =>
  [...text].some((ch) => ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
const MAX_LENGTH = 2000;

export function safeNext(next: string | undefined, publicUrl: string, fallback = '/portal'): string {
  if (!next || next.length > MAX_LENGTH || isUnsafe(next)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return fallback;
  }
  if (isUnsafe(decoded) || !decoded.startsWith('/') || decoded.startsWith('//')) return fallback;
  if (!next.startsWith('/') || next.startsWith('//')) return fallback;
  const base = new URL(publicUrl);
  let resolved: URL;
  try {
    resolved = new URL(next, base);
  } catch {
    return fallback;
  }
  if (resolved.origin !== base.origin) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
