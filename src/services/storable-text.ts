/**
 * PostgreSQL text and jsonb can hold neither NUL characters nor lone UTF-16 surrogates (JSON
 * allows both: "\u0000", "\ud800"). Such input must be refused at the door: stored, it fails the
 * insert (a 500), or worse, a workflow's write of it, which Temporal then retries forever.
 */

const NUL = '\u0000';
/** A high surrogate without its low half, or a low one without its high half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function isStorableText(s: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !s.includes(NUL) && !LONE_SURROGATE.test(s);
}

/** The path of the first string (or object key) in a JSON value that cannot be stored, or null. */
export function firstUnstorablePath(
  value: unknown,
  path: (string | number)[] = [],
): (string | number)[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = firstUnstorablePath(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, key];
      const found = firstUnstorablePath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** For text that reaches storage by paths without a 400 of their own: unstorable parts dropped. */
export function toStorableText(s: string): string {
  if (isStorableText(s)) return s;
  return s.split(NUL).join('').replace(LONE_SURROGATE, '\ufffd');
}
