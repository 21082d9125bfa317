/** Download names from the job's title and the day it was signed, safe in Content-Disposition. */
import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  fileNamePart,
  osloDate,
  signatureObjectName,
  signedPdfName,
} from '../../src/rules/download-name.js';

describe('download names', () => {
  it('names the signed PDF after the title and the Oslo day it was sealed', () => {
    // 23:30 UTC on 31 December is already 1 January in Oslo (UTC+1 in winter).
    expect(signedPdfName('Employment contract', new Date('2026-12-31T23:30:00Z'))).toBe(
      'Employment-contract-signed-2027-01-01.pdf',
    );
    expect(osloDate(new Date('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
    expect(osloDate(new Date('2026-06-30T22:00:00Z'))).toBe('2026-07-01');
    expect(signatureObjectName('Lease', 2, new Date('2026-03-05T12:00:00Z'))).toBe(
      'Lease-signer-2-signed-2026-03-05.xml',
    );
  });

  it('cleans a title of characters file systems refuse, keeps letters, and falls back when nothing is left', () => {
    expect(fileNamePart('Avtale om leie: Ærlig/Øvre "Åsen" <2>')).toBe('Avtale-om-leie-Ærlig-Øvre-Åsen-2');
    expect(fileNamePart('..hidden')).toBe('hidden');
    expect(fileNamePart('tab\there\u0000and\nnewline')).toBe('tab-here-and-newline');
    expect(fileNamePart('///')).toBe('document');
    expect(fileNamePart('')).toBe('document');
    expect([...fileNamePart('x'.repeat(300))]).toHaveLength(60);
    // Emoji count as one character each; a cut never splits one.
    expect(fileNamePart('😀'.repeat(70))).toBe('😀'.repeat(60));
  });

  it('gives an ASCII filename and the exact UTF-8 name in filename*', () => {
    expect(contentDisposition('attachment', 'Leie-Ærlig-signed-2026-01-02.pdf')).toBe(
      `attachment; filename="Leie-_rlig-signed-2026-01-02.pdf"; filename*=UTF-8''Leie-%C3%86rlig-signed-2026-01-02.pdf`,
    );
    // Quotes, backslashes and percent signs never reach the quoted string; ' ( ) * are encoded.
    expect(contentDisposition('inline', `a"b\\c%d'(e)*.pdf`)).toBe(
      `inline; filename="a_b_c_d'(e)*.pdf"; filename*=UTF-8''a%22b%5Cc%25d%27%28e%29%2A.pdf`,
    );
  });
});
