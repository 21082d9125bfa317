/** Where the browser may go after a login: only paths of this service, after decoding as a browser would. */
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../api/pages/next-path.js';

const BASE = 'https://sign.example.org';

describe('safeNext', () => {
  it.each([
    ['/portal', '/portal'],
    ['/sign/a/b?lang=en', '/sign/a/b?lang=en'],
    ['/sender/987654325/jobs/x#top', '/sender/987654325/jobs/x#top'],
    ['/a/../portal', '/portal'],
  ])('keeps the path %s', (next, kept) => {
    expect(safeNext(next, BASE)).toBe(kept);
  });

  it.each([
    ['/\t/evil.example', 'a tab (browsers drop it: //evil.example)'],
    ['/\n/x', 'a newline (a header split)'],
    ['/%09/evil.example', 'an encoded tab'],
    ['/%0a/x', 'an encoded newline'],
    ['/%2F/evil.example', 'an encoded second slash'],
    ['//evil.example', 'a protocol-relative URL'],
    ['/\\evil.example', 'a backslash (read as a slash)'],
    ['/%5Cevil.example', 'an encoded backslash'],
    ['https://evil.example/', 'an absolute URL'],
    ['javascript:alert(1)', 'another scheme'],
    ['portal', 'a relative path'],
    ['/%E0%A4%A', 'broken percent-encoding'],
    [`/${'a'.repeat(2001)}`, 'an overlong path'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (next) => {
    expect(safeNext(next, BASE)).toBe('/portal');
  });

  it('uses the fallback given', () => {
    expect(safeNext(undefined, BASE, '/sender')).toBe('/sender');
  });
});
