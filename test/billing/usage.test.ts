import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  noticeUsageEvent,
  oneOffUsageEvent,
  signingUsageEvents,
  type UsageEvent,
} from '../../src/billing/events.js';
import { toCsv, toJson } from '../../src/billing/format.js';
import { DEFAULT_PRICES, loadPriceTable } from '../../src/billing/prices.js';
import { quarterlyReport } from '../../src/billing/report.js';
import { recordUsage, recordUsageEvents } from '../../src/billing/usage.js';
import type { Db } from '../../src/db/index.js';
import { createTestDatabase } from '../helpers/db.js';

const ORG_A = '910000001';
const ORG_B = '910000002';

let db: Db;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await db
    .insertInto('organisations')
    .values([
      { org_number: ORG_A, name: 'Alfa kommune', sector: 'PUBLIC' },
      { org_number: ORG_B, name: 'Beta, Bank & Co', sector: 'PRIVATE' },
    ])
    .execute();
});
afterAll(async () => {
  await db?.destroy();
});

function sms(jobId: string, noticeKey: string, sentAt: string, orgNumber = ORG_A): UsageEvent {
  return noticeUsageEvent({
    orgNumber,
    jobId,
    signerId: 's1',
    channel: 'SMS',
    noticeKey,
    sentAt: new Date(sentAt),
  });
}

async function rowsWithKey(key: string) {
  return db.selectFrom('usage_events').selectAll().where('idempotency_key', '=', key).execute();
}

describe('recordUsage', () => {
  it('records an event once under repeated calls', async () => {
    const event = sms('job-once', 'activation', '2026-05-01T10:00:00Z');
    expect(await recordUsage(db, event, DEFAULT_PRICES)).toBe(true);
    expect(await recordUsage(db, event, DEFAULT_PRICES)).toBe(false);
    expect(await recordUsage(db, event, DEFAULT_PRICES)).toBe(false);
    const rows = await rowsWithKey(event.idempotencyKey);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ org_number: ORG_A, job_id: 'job-once', kind: 'SMS_NOTICE', quantity: 1 });
    expect(rows[0]).toMatchObject({ unit_price_ore: 40, amount_ore: '40', currency: 'NOK' });
  });

  it('records an event once under concurrent duplicates', async () => {
    const event = sms('job-race', 'reminder-1', '2026-05-02T10:00:00Z');
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => recordUsage(db, event, DEFAULT_PRICES)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await rowsWithKey(event.idempotencyKey)).toHaveLength(1);
  });

  it('records the elements of a signature once, also when a retry overlaps', async () => {
    const signed = {
      orgNumber: ORG_A,
      jobId: 'job-sig',
      signerId: 'signer-1',
      signatureType: 'ADVANCED_SIGNATURE' as const,
      flow: 'portal' as const,
      signedAt: new Date('2026-05-03T10:00:00Z'),
    };
    const events = signingUsageEvents(signed);
    const counts = await Promise.all([
      recordUsageEvents(db, events, DEFAULT_PRICES),
      recordUsageEvents(db, events, DEFAULT_PRICES),
      recordUsageEvents(db, events.slice(1), DEFAULT_PRICES),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    const total = await db
      .selectFrom('usage_events')
      .select((eb) => eb.fn.sum<string>('amount_ore').as('sum'))
      .where('job_id', '=', 'job-sig')
      .executeTakeFirstOrThrow();
    expect(Number(total.sum)).toBe(199);
  });

  it('keeps the price stored with an event after the table changes', async () => {
    const before = sms('job-price', 'activation', '2026-05-04T10:00:00Z');
    await recordUsage(db, before, DEFAULT_PRICES);
    const raised = loadPriceTable('{"SMS_NOTICE": 55}');
    // The retry under the new table changes nothing; a new event gets the new price.
    expect(await recordUsage(db, before, raised)).toBe(false);
    const after = sms('job-price', 'reminder-1', '2026-05-05T10:00:00Z');
    await recordUsage(db, after, raised);
    expect((await rowsWithKey(before.idempotencyKey))[0]?.unit_price_ore).toBe(40);
    expect((await rowsWithKey(after.idempotencyKey))[0]?.unit_price_ore).toBe(55);
    const report = await quarterlyReport(db, { quarter: '2026Q2', org: ORG_A });
    const smsLines = report.organisations[0]?.lines.filter((l) => l.kind === 'SMS_NOTICE');
    expect(smsLines?.map((l) => [l.unitPriceOre, l.quantity, l.amountOre])).toEqual([
      [40, 3, 120],
      [55, 1, 55],
    ]);
  });

  it('refuses a non-positive quantity before touching the database', async () => {
    const event = { ...sms('job-bad', 'x', '2026-05-01T10:00:00Z'), quantity: 0 };
    await expect(recordUsage(db, event, DEFAULT_PRICES)).rejects.toThrow(/quantity/);
  });
});

describe('quarterlyReport', () => {
  beforeAll(async () => {
    const events: UsageEvent[] = [
      // 2026Q4 in Oslo: from 2026-09-30T22:00Z to 2026-12-31T23:00Z.
      ...signingUsageEvents({
        orgNumber: ORG_A,
        jobId: 'q-1',
        signerId: 's1',
        signatureType: 'AUTHENTICATED_SIGNATURE',
        flow: 'portal',
        signedAt: new Date('2026-09-30T22:00:00Z'), // 00:00 on 1 October in Oslo: Q4
      }),
      ...signingUsageEvents({
        orgNumber: ORG_A,
        jobId: 'q-2',
        signerId: 's1',
        signatureType: 'AUTHENTICATED_SIGNATURE',
        flow: 'direct',
        signedAt: new Date('2026-12-31T22:59:59Z'), // 23:59:59 on 31 December in Oslo: Q4
      }),
      sms('q-1', 'activation', '2026-11-01T09:00:00Z'),
      noticeUsageEvent({
        orgNumber: ORG_A,
        jobId: 'q-1',
        signerId: 's1',
        channel: 'EMAIL',
        noticeKey: 'activation',
        sentAt: new Date('2026-11-01T09:00:00Z'),
      }),
      ...signingUsageEvents({
        orgNumber: ORG_B,
        jobId: 'q-3',
        signerId: 's1',
        signatureType: 'ADVANCED_SIGNATURE',
        flow: 'portal',
        signedAt: new Date('2026-10-15T12:00:00Z'),
      }),
      oneOffUsageEvent(ORG_B, 'INTEGRATION', new Date('2026-10-01T08:00:00Z')),
      // Outside 2026Q4: Q3 in Oslo (21:59 UTC is 23:59 Oslo summer time on 30 September) ...
      sms('q-1', 'early', '2026-09-30T21:59:00Z'),
      // ... and Q1 2027 in Oslo (00:30 on 1 January).
      sms('q-4', 'new-year', '2026-12-31T23:30:00Z', ORG_B),
    ];
    await recordUsageEvents(db, events, DEFAULT_PRICES);
  });

  it('bills each event in its Oslo quarter, with totals that add up exactly', async () => {
    const report = await quarterlyReport(db, { quarter: '2026Q4' });
    expect(report.start.toISOString()).toBe('2026-09-30T22:00:00.000Z');
    expect(report.end.toISOString()).toBe('2026-12-31T23:00:00.000Z');
    const [a, b] = report.organisations;
    expect(report.organisations.map((o) => o.orgNumber)).toEqual([ORG_A, ORG_B]);
    expect(a?.lines.map((l) => [l.kind, l.unitPriceOre, l.quantity, l.amountOre])).toEqual([
      ['SIGNING', 70, 2, 140],
      ['AUTHENTICATED_SIGNATURE', 44, 2, 88],
      ['IDPORTEN_AUTHENTICATION', 29, 2, 58],
      ['PORTAL_LOGIN', 29, 1, 29],
      ['SMS_NOTICE', 40, 1, 40],
      ['EMAIL_NOTICE', 0, 1, 0],
    ]);
    // 1.72 (portal) + 1.43 (direct) + one SMS.
    expect(a?.totalOre).toBe(172 + 143 + 40);
    expect(b?.totalOre).toBe(199 + 2_000_000);
    expect(report.totalOre).toBe(172 + 143 + 40 + 199 + 2_000_000);
    for (const org of report.organisations) {
      expect(org.lines.reduce((sum, l) => sum + l.amountOre, 0)).toBe(org.totalOre);
    }
    expect(report.organisations.reduce((sum, o) => sum + o.totalOre, 0)).toBe(report.totalOre);

    const q1 = await quarterlyReport(db, { quarter: '2027Q1' });
    expect(q1.organisations.map((o) => [o.orgNumber, o.totalOre])).toEqual([[ORG_B, 40]]);
    const q3 = await quarterlyReport(db, { quarter: '2026Q3' });
    expect(q3.totalOre).toBe(40);
  });

  it('reports one organisation when asked', async () => {
    const report = await quarterlyReport(db, { quarter: '2026Q4', org: ORG_B });
    expect(report.organisations.map((o) => o.orgNumber)).toEqual([ORG_B]);
    expect(report.totalOre).toBe(2_000_199);
    const none = await quarterlyReport(db, { quarter: '2026Q4', org: '999999999' });
    expect(none).toMatchObject({ organisations: [], totalOre: 0 });
  });

  it('writes CSV with exact NOK amounts and quoted names', async () => {
    const csv = toCsv(await quarterlyReport(db, { quarter: '2026Q4', org: ORG_B }));
    expect(csv.split('\r\n')).toEqual([
      'row_type,quarter,org_number,organisation,kind,description,unit_price_nok,events,quantity,amount_nok,amount_ore',
      'LINE,2026Q4,910000002,"Beta, Bank & Co",SIGNING,Signing / validation,0.70,1,1,0.70,70',
      'LINE,2026Q4,910000002,"Beta, Bank & Co",ADVANCED_SIGNATURE,Advanced signature (BankID or Buypass),1.00,1,1,1.00,100',
      'LINE,2026Q4,910000002,"Beta, Bank & Co",PORTAL_LOGIN,Signing portal login,0.29,1,1,0.29,29',
      'LINE,2026Q4,910000002,"Beta, Bank & Co",INTEGRATION,One-off: integration,20000.00,1,1,20000.00,2000000',
      'ORG_TOTAL,2026Q4,910000002,"Beta, Bank & Co",,,,,,20001.99,2000199',
      'GRAND_TOTAL,2026Q4,,,,,,,,20001.99,2000199',
      '',
    ]);
  });

  it('writes JSON with øre as integers and NOK as strings', async () => {
    const json = JSON.parse(toJson(await quarterlyReport(db, { quarter: '2026Q4' })));
    expect(json).toMatchObject({
      quarter: '2026Q4',
      start: '2026-09-30T22:00:00.000Z',
      end: '2026-12-31T23:00:00.000Z',
      currency: 'NOK',
      totalOre: 2_000_554,
      totalNok: '20005.54',
    });
    expect(json.organisations[0]).toMatchObject({
      orgNumber: ORG_A,
      name: 'Alfa kommune',
      totalOre: 355,
      totalNok: '3.55',
    });
    expect(json.organisations[0].lines[0]).toEqual({
      kind: 'SIGNING',
      description: 'Signing / validation',
      unitPriceOre: 70,
      unitPriceNok: '0.70',
      events: 2,
      quantity: 2,
      amountOre: 140,
      amountNok: '1.40',
    });
  });
});
