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

/**
 * No request body of the API nests deeper than a handful of levels; this is far above that and far
 * below what a recursive walk (ours, zod's, JSON.stringify's) survives on the call stack.
 */
export const MAX_JSON_DEPTH = 32;

export type JsonTextProblem = { path: (string | number)[]; problem: 'UNSTORABLE' | 'TOO_DEEP' };

/**
 * The first place in a parsed JSON value that cannot be taken in: a string (or object key) that
 * cannot be stored, or a value nested deeper than MAX_JSON_DEPTH. Iterative (an explicit stack),
 * so no input can overflow the call stack; null when the value is fine.
 */
export function firstJsonTextProblem(value: unknown): JsonTextProblem | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as (typeof stack)[number];
    if (typeof v === 'string') {
      if (!isStorableText(v)) return { path, problem: 'UNSTORABLE' };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_JSON_DEPTH) return { path, problem: 'TOO_DEEP' };
    const entries: [string | number, unknown][] = Array.isArray(v) ? [...v.entries()] : Object.entries(v);
    // Pushed in reverse so the first entry is looked at first: the path reported is the first one.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i] as [string | number, unknown];
      if (typeof key === 'string' && !isStorableText(key))
        return { path: [...path, key], problem: 'UNSTORABLE' };
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}

/** For text that reaches storage by paths without a 400 of their own: unstorable parts dropped. */
export function toStorableText(s: string): string {
  if (isStorableText(s)) return s;
  return s.split(NUL).join('').replace(LONE_SURROGATE, '\ufffd');
}
