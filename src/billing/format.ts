/**
 * The quarterly report as files for the finance office.
 *
 * CSV: RFC 4180 — comma-separated, CRLF line ends, a header row, fields quoted when they hold a
 * comma, quote or line break. Comma rather than semicolon because amounts use a decimal dot
 * (machine-readable, not locale-formatted), so a comma can never be mistaken for a decimal mark.
 * Amounts appear twice: as NOK with two decimals (formatted from øre by integer arithmetic) and as
 * integer øre (what to import). `row_type` tells lines from totals: LINE, ORG_TOTAL, GRAND_TOTAL.
 *
 * JSON: the same figures, øre as integers and NOK as strings ("1.72"), never as floats.
 */
import { formatNok } from './money.js';
import type { QuarterlyReport } from './report.js';

export const CSV_HEADER = [
  'row_type',
  'quarter',
  'org_number',
  'organisation',
  'kind',
  'description',
  'unit_price_nok',
  'events',
  'quantity',
  'amount_nok',
  'amount_ore',
] as const;

type CsvRow = Record<(typeof CSV_HEADER)[number], string | number>;

export function toCsv(report: QuarterlyReport): string {
  const rows: CsvRow[] = [];
  const blank = { kind: '', description: '', unit_price_nok: '', events: '', quantity: '' };
  for (const org of report.organisations) {
    for (const line of org.lines) {
      rows.push({
        row_type: 'LINE',
        quarter: report.quarter,
        org_number: org.orgNumber,
        organisation: spreadsheetSafe(org.name ?? ''),
        kind: line.kind,
        description: line.description,
        unit_price_nok: formatNok(line.unitPriceOre),
        events: line.events,
        quantity: line.quantity,
        amount_nok: formatNok(line.amountOre),
        amount_ore: line.amountOre,
      });
    }
    rows.push({
      row_type: 'ORG_TOTAL',
      quarter: report.quarter,
      org_number: org.orgNumber,
      organisation: spreadsheetSafe(org.name ?? ''),
      ...blank,
      amount_nok: formatNok(org.totalOre),
      amount_ore: org.totalOre,
    });
  }
  rows.push({
    row_type: 'GRAND_TOTAL',
    quarter: report.quarter,
    org_number: '',
    organisation: '',
    ...blank,
    amount_nok: formatNok(report.totalOre),
    amount_ore: report.totalOre,
  });
  const lines = [
    CSV_HEADER.join(','),
    ...rows.map((row) => CSV_HEADER.map((col) => csvField(row[col])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Text typed by people (an organisation's name) that a spreadsheet would run as a formula
 * (=, +, -, @ first) gets an apostrophe in front, as OWASP advises for CSV exports.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function toJson(report: QuarterlyReport): string {
  const document = {
    quarter: report.quarter,
    start: report.start.toISOString(),
    end: report.end.toISOString(),
    currency: report.currency,
    organisations: report.organisations.map((org) => ({
      orgNumber: org.orgNumber,
      name: org.name,
      lines: org.lines.map((line) => ({
        kind: line.kind,
        ...(line.provider ? { provider: line.provider } : {}),
        description: line.description,
        unitPriceOre: line.unitPriceOre,
        unitPriceNok: formatNok(line.unitPriceOre),
        events: line.events,
        quantity: line.quantity,
        amountOre: line.amountOre,
        amountNok: formatNok(line.amountOre),
      })),
      totalOre: org.totalOre,
      totalNok: formatNok(org.totalOre),
    })),
    totalOre: report.totalOre,
    totalNok: formatNok(report.totalOre),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
