/** The sender portal's job list query: a known status and a bounded search, else refused by field. */
import { describe, expect, it } from 'vitest';
import { MAX_LIST_QUERY_CHARS, parseJobListQuery } from '../../src/portal/sender-jobs.js';

describe('job list query', () => {
  it('takes a known status and trimmed words, and nothing for empty fields', () => {
    expect(parseJobListQuery('REJECTED', '  Kari  ')).toEqual({
      ok: true,
      filter: { outcome: 'REJECTED', search: 'Kari' },
    });
    expect(parseJobListQuery('', '')).toEqual({ ok: true, filter: {} });
    expect(parseJobListQuery(undefined, undefined)).toEqual({ ok: true, filter: {} });
    expect(parseJobListQuery(undefined, 'ø'.repeat(MAX_LIST_QUERY_CHARS))).toMatchObject({ ok: true });
  });

  it('refuses too long a search, unreadable text and an unknown status, naming the field', () => {
    expect(parseJobListQuery(undefined, 'x'.repeat(MAX_LIST_QUERY_CHARS + 1))).toEqual({
      ok: false,
      issue: { field: 'q', code: 'TOO_LONG' },
    });
    expect(parseJobListQuery(undefined, 'a\u0000b')).toEqual({
      ok: false,
      issue: { field: 'q', code: 'UNREADABLE' },
    });
    expect(parseJobListQuery('DONE', '')).toEqual({
      ok: false,
      issue: { field: 'status', code: 'UNKNOWN_STATUS', value: 'DONE' },
    });
  });
});
