/**
 * The mark of each document in the signer's list (src/portal/ceremony.ts): the signer's answer
 * covers every document; before it, a PDF is "opened" only once its view is recorded, a text
 * document is always (its text is part of the signing page), and a deleted one says so.
 */
import { describe, expect, it } from 'vitest';
import { documentMark } from '../../src/portal/ceremony.js';

const pdf = { available: true, opened: false, mimeType: 'application/pdf' as const };

describe('documentMark', () => {
  it('is the answer once the signer has given one, whatever was opened', () => {
    expect(documentMark(pdf, 'SIGNED')).toBe('SIGNED');
    expect(documentMark({ ...pdf, available: false }, 'SIGNED')).toBe('SIGNED');
    expect(documentMark(pdf, 'REJECTED')).toBe('REJECTED');
  });

  it('is opened only when the view is recorded, while the signer waits', () => {
    expect(documentMark(pdf, 'WAITING')).toBe('NOT_OPENED');
    expect(documentMark({ ...pdf, opened: true }, 'WAITING')).toBe('OPENED');
  });

  it('counts a text document as opened: its text is on the page', () => {
    expect(documentMark({ ...pdf, mimeType: 'text/plain' }, 'WAITING')).toBe('OPENED');
  });

  it('says a deleted document is deleted', () => {
    expect(documentMark({ ...pdf, available: false }, 'EXPIRED')).toBe('DELETED');
    expect(documentMark({ ...pdf, available: false, opened: true }, 'WAITING')).toBe('DELETED');
  });
});
