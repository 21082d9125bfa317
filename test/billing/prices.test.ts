import { describe, expect, it } from 'vitest';
import { type Flow, type SignatureType, signingKinds, signingUsageEvents } from '../../src/billing/events.js';
import {
  BILLABLE_KINDS,
  DEFAULT_PRICES,
  loadPriceTable,
  type PriceTable,
  PriceTableError,
} from '../../src/billing/prices.js';

/** What one signature costs under a price table: the sum of its price elements. */
function signatureTotal(prices: PriceTable, type: SignatureType, flow: Flow): number {
  return signingKinds(type, flow).reduce((sum, kind) => sum + prices[kind], 0);
}

describe('the default price table', () => {
  it('reproduces the published totals exactly (øre)', () => {
    // docs/domain.md: authenticated 1.72 and advanced 1.99, both with the 0.29 portal login.
    expect(signatureTotal(DEFAULT_PRICES, 'AUTHENTICATED_SIGNATURE', 'portal')).toBe(172);
    expect(signatureTotal(DEFAULT_PRICES, 'ADVANCED_SIGNATURE', 'portal')).toBe(199);
    // The direct-flow signer never logs in to the portal.
    expect(signatureTotal(DEFAULT_PRICES, 'AUTHENTICATED_SIGNATURE', 'direct')).toBe(143);
    expect(signatureTotal(DEFAULT_PRICES, 'ADVANCED_SIGNATURE', 'direct')).toBe(170);
  });

  it('holds the published unit prices', () => {
    expect(DEFAULT_PRICES).toMatchObject({
      SIGNING: 70,
      AUTHENTICATED_SIGNATURE: 44,
      IDPORTEN_AUTHENTICATION: 29,
      PORTAL_LOGIN: 29,
      ADVANCED_SIGNATURE: 100,
      SMS_NOTICE: 40,
      EMAIL_NOTICE: 0,
      INTEGRATION: 2_000_000,
      PORTAL_AUTHORISATION: 750_000,
    });
    expect(Object.keys(DEFAULT_PRICES).sort()).toEqual([...BILLABLE_KINDS].sort());
    for (const price of Object.values(DEFAULT_PRICES)) expect(Number.isSafeInteger(price)).toBe(true);
  });

  it('makes one event per price element, keyed by job, signer and kind', () => {
    const events = signingUsageEvents({
      orgNumber: '910000001',
      jobId: 'job-1',
      signerId: 'signer-1',
      signatureType: 'AUTHENTICATED_SIGNATURE',
      flow: 'portal',
      signedAt: new Date('2026-11-02T10:00:00Z'),
    });
    expect(events.map((e) => e.idempotencyKey)).toEqual([
      'job-1:signer-1:SIGNING',
      'job-1:signer-1:AUTHENTICATED_SIGNATURE',
      'job-1:signer-1:IDPORTEN_AUTHENTICATION',
      'job-1:signer-1:PORTAL_LOGIN',
    ]);
  });

  it("names the remote signing service on an advanced signature's add-on only", () => {
    const events = signingUsageEvents({
      orgNumber: '910000001',
      jobId: 'job-1',
      signerId: 'signer-1',
      signatureType: 'ADVANCED_SIGNATURE',
      flow: 'direct',
      signedAt: new Date('2026-11-02T10:00:00Z'),
      signingProvider: 'Buypass',
    });
    expect(events.map((e) => [e.kind, e.provider])).toEqual([
      ['SIGNING', undefined],
      ['ADVANCED_SIGNATURE', 'Buypass'],
    ]);
  });
});

describe('loadPriceTable', () => {
  it('is the defaults without configuration', () => {
    expect(loadPriceTable()).toEqual(DEFAULT_PRICES);
    expect(loadPriceTable('  ')).toEqual(DEFAULT_PRICES);
  });

  it('overrides only the kinds named', () => {
    const prices = loadPriceTable('{"SMS_NOTICE": 45, "LONG_TERM_STORAGE_YEAR": 250}');
    expect(prices).toEqual({ ...DEFAULT_PRICES, SMS_NOTICE: 45, LONG_TERM_STORAGE_YEAR: 250 });
  });

  it.each([
    ['{"SMS_NOTICE": 0.4}', 'SMS_NOTICE: must be a whole number of øre'],
    ['{"SIGNING": -1}', 'SIGNING: must not be negative'],
    ['{"PORTAL_LOGIN": "29"}', 'PORTAL_LOGIN: must be a number of øre'],
    ['{"SMS": 40}', 'SMS: unknown billable kind'],
    ['[1, 2]', '(table)'],
    ['{"SMS_NOTICE": 40', 'not valid JSON'],
  ])('refuses %s, naming the bad key', (json, message) => {
    expect(() => loadPriceTable(json)).toThrow(PriceTableError);
    expect(() => loadPriceTable(json)).toThrow(message);
  });

  it('names every bad key at once', () => {
    try {
      loadPriceTable('{"SIGNING": 0.7, "EMAIL": 0, "SMS_NOTICE": 40}');
      expect.unreachable();
    } catch (err) {
      expect((err as PriceTableError).problems).toEqual([
        expect.stringMatching(/^SIGNING: /),
        expect.stringMatching(/^EMAIL: unknown billable kind/),
      ]);
    }
  });
});
