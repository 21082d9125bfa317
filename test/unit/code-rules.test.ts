/**
 * The rules of a signer link's one-time code: it travels over the other channel than the link or
 * not at all, and wrong codes slow the next tries down (never block).
 */
import { describe, expect, it } from 'vitest';
import {
  CODE_RESEND_INTERVAL_MS,
  codeChannelFor,
  codeRetryDelayMs,
  MAX_CODES_PER_LINK,
  maskedEmail,
  mobileEnding,
  nextCodeSendAt,
  normaliseCode,
} from '../../src/portal/code-rules.js';

describe('the channel of the code', () => {
  it('goes the other way than the link, or nowhere when there is no other way', () => {
    expect(codeChannelFor('EMAIL', { email: 'a@b.no', mobile: '+4791234567' })).toBe('SMS');
    expect(codeChannelFor('SMS', { email: 'a@b.no', mobile: '+4791234567' })).toBe('EMAIL');
    expect(codeChannelFor('EMAIL', { email: 'a@b.no', mobile: null })).toBe('NONE');
    expect(codeChannelFor('SMS', { mobile: '+4791234567' })).toBe('NONE');
  });
});

describe('the wait after wrong codes', () => {
  it('is none for two slips, 30 s after the third, doubling, capped at an hour', () => {
    expect([0, 1, 2].map(codeRetryDelayMs)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6].map(codeRetryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(codeRetryDelayMs(9)).toBe(1_920_000);
    expect(codeRetryDelayMs(10)).toBe(3_600_000);
    expect(codeRetryDelayMs(1_000_000)).toBe(3_600_000);
  });
});

describe('sending codes', () => {
  it('allows one a minute and at most MAX_CODES_PER_LINK per link', () => {
    const last = new Date('2026-12-07T01:00:00Z');
    expect(nextCodeSendAt({ codesSent: 0, lastSentAt: null })).toEqual(new Date(0));
    expect(nextCodeSendAt({ codesSent: 1, lastSentAt: last })?.getTime()).toBe(
      last.getTime() + CODE_RESEND_INTERVAL_MS,
    );
    expect(nextCodeSendAt({ codesSent: MAX_CODES_PER_LINK, lastSentAt: last })).toBeNull();
  });

  it('shows only the end of a number and a masked address', () => {
    expect(mobileEnding('+47 912 34 567')).toBe('67');
    expect(maskedEmail('kari.nordmann@example.no')).toBe('k…@example.no');
    expect(maskedEmail('broken')).toBe('…');
  });

  it('takes six digits, spaces ignored, and nothing else', () => {
    expect(normaliseCode(' 123 456 ')).toBe('123456');
    expect(normaliseCode('12345')).toBeNull();
    expect(normaliseCode('12345a')).toBeNull();
    expect(normaliseCode('1234567')).toBeNull();
  });
});
