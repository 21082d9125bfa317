import { describe, expect, it } from 'vitest';
import { csvField, spreadsheetSafe } from '../../src/billing/format.js';
import { formatNok } from '../../src/billing/money.js';
import { parseQuarter, previousQuarter, quarterContaining } from '../../src/billing/quarter.js';

describe('parseQuarter', () => {
  it.each([
    // Oslo midnight: winter time (UTC+1) for Q1 and Q4 starts, summer time (UTC+2) for Q2 and Q3.
    ['2026Q1', '2025-12-31T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    ['2026Q2', '2026-03-31T22:00:00.000Z', '2026-06-30T22:00:00.000Z'],
    ['2026Q3', '2026-06-30T22:00:00.000Z', '2026-09-30T22:00:00.000Z'],
    ['2026Q4', '2026-09-30T22:00:00.000Z', '2026-12-31T23:00:00.000Z'],
    ['2026-q4', '2026-09-30T22:00:00.000Z', '2026-12-31T23:00:00.000Z'],
  ])('%s is [%s, %s)', (text, start, end) => {
    const q = parseQuarter(text);
    expect([q.start.toISOString(), q.end.toISOString()]).toEqual([start, end]);
  });

  it.each(['2026Q5', '2026', 'Q4 2026', '26Q1', ''])('refuses %j', (text) => {
    expect(() => parseQuarter(text)).toThrow(/not a quarter/);
  });

  it('bills an instant by the Oslo calendar date', () => {
    expect(quarterContaining(new Date('2026-12-31T22:59:59.999Z')).label).toBe('2026Q4');
    expect(quarterContaining(new Date('2026-12-31T23:30:00Z')).label).toBe('2027Q1');
    expect(quarterContaining(new Date('2026-06-30T21:59:59Z')).label).toBe('2026Q2');
    expect(quarterContaining(new Date('2026-06-30T22:00:00Z')).label).toBe('2026Q3');
    expect(previousQuarter(new Date('2027-01-15T12:00:00Z')).label).toBe('2026Q4');
    expect(previousQuarter(new Date('2026-08-15T12:00:00Z')).label).toBe('2026Q2');
  });
});

describe('formatNok', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [40, '0.40'],
    [172, '1.72'],
    [2_000_000, '20000.00'],
    [-199, '-1.99'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('%d øre is %s NOK', (ore, nok) => {
    expect(formatNok(ore)).toBe(nok);
  });

  it('refuses a fraction of an øre', () => {
    expect(() => formatNok(1.5)).toThrow(RangeError);
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['Bakke, Berg & Co', '"Bakke, Berg & Co"'],
    ['say "hi"', '"say ""hi"""'],
    ['-1.99', '-1.99'],
  ])('%j → %s', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('keeps a name from running as a spreadsheet formula', () => {
    expect(csvField(spreadsheetSafe('=HYPERLINK("x")'))).toBe(`"'=HYPERLINK(""x"")"`);
    expect(spreadsheetSafe('Bakke AS')).toBe('Bakke AS');
  });
});
