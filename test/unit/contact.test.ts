import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidEmail, isValidMobile, normaliseMobile } from '../../src/rules/contact.js';

describe('isValidEmail', () => {
  it.each([
    'kari@example.com',
    'kari.nordmann+signing@sub.example.no',
    'o_brien@example.co.uk',
    'ærlig@blåbær.no',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    '',
    'kari',
    'kari@',
    '@example.com',
    'kari@example',
    'kari@@example.com',
    'kari@exa@mple.com',
    'kari nordmann@example.com',
    'kari@example .com',
    'kari@example.com\n',
    'kari@-example.com',
    'kari@example-.com',
    'kari@example..com',
    '.kari@example.com',
    'kari.@example.com',
    'ka..ri@example.com',
    '<kari@example.com>',
    'kari@example.com,ola@example.com',
    `${'a'.repeat(65)}@example.com`,
    `kari@${'a'.repeat(250)}.com`,
  ])('refuses %j', (email) => {
    expect(isValidEmail(email)).toBe(false);
  });

  it('refuses anything longer than 254 characters', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.no`;
    expect(isValidEmail(`${local}@${domain}`)).toBe(false);
    expect(`${local}@${domain}`.length).toBeGreaterThan(254);
  });
});

describe('normaliseMobile', () => {
  it.each([
    ['91234567', '+4791234567'],
    ['41234567', '+4741234567'],
    ['912 34 567', '+4791234567'],
    ['+47 912 34 567', '+4791234567'],
    ['+4791234567', '+4791234567'],
    ['004791234567', '+4791234567'],
    ['(+47) 912-34-567', '+4791234567'],
    ['+46701234567', '+46701234567'],
    ['0046701234567', '+46701234567'],
    ['+12025550123', '+12025550123'],
    ['+35312345', '+35312345'], // 8 digits: the shortest accepted
    ['+123456789012345', '+123456789012345'], // 15 digits: E.164 maximum
  ])('%s → %s', (input, expected) => {
    expect(normaliseMobile(input)).toBe(expected);
  });

  it.each([
    '',
    '22225555', // Norwegian landline: starts with 2
    '9123456', // 7 digits
    '912345678', // 9 digits without country code
    '+479123456', // +47 with 7 digits
    '+47912345678', // +47 with 9 digits
    '+4722225555', // +47 landline
    '+3531234', // 7 digits in all
    '+1234567890123456', // 16 digits
    '+0123456789', // country code cannot start with 0
    '4791234567', // country code without +: ambiguous
    '+47 9123 456a',
    '++4791234567',
    'tel:+4791234567',
  ])('refuses %j', (input) => {
    expect(normaliseMobile(input)).toBeNull();
    expect(isValidMobile(input)).toBe(false);
  });

  it('is idempotent: a normalised number normalises to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 +-()') }), (s) => {
        const once = normaliseMobile(s);
        if (once !== null) expect(normaliseMobile(once)).toBe(once);
      }),
    );
  });
});
