/**
 * The quarterly usage report per organisation: one line per billable kind and unit price (a kind
 * whose price changed within the quarter has one line per price, so every line is exactly
 * quantity × unit price), the organisation's total and the grand total. Integer øre throughout.
 *
 * The figures are read in one repeatable-read transaction and the grand total is also summed
 * independently by the database; a report whose lines and totals disagree is never returned.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { BILLABLE_KINDS, CURRENCY, KIND_DESCRIPTIONS } from './prices.js';
import { parseQuarter, type Quarter } from './quarter.js';

export interface ReportLine {
  kind: string;
  /** The remote signing service an advanced signature's add-on is billed for (BankID, Buypass). */
  provider?: string;
  description: string;
  unitPriceOre: number;
  /** Number of events recorded. */
  events: number;
  /** Units billed (equal to events except for multi-unit events). */
  quantity: number;
  amountOre: number;
}

export interface OrganisationUsage {
  orgNumber: string;
  /** The organisation's name when the report was made (null if no longer registered). */
  name: string | null;
  lines: ReportLine[];
  totalOre: number;
}

export interface QuarterlyReport {
  quarter: string;
  start: Date;
  end: Date;
  currency: typeof CURRENCY;
  /** Organisations with usage in the quarter, by organisation number. */
  organisations: OrganisationUsage[];
  totalOre: number;
}

/** One grouped row as the database returns it (sums as text: bigint). */
export interface UsageAggregateRow {
  org_number: string;
  name: string | null;
  kind: string;
  /** Null unless the events name a remote signing service. */
  provider?: string | null;
  unit_price_ore: number;
  currency: string;
  events: number;
  quantity: string;
  amount_ore: string;
}

export class ReportImbalanceError extends Error {
  constructor(detail: string) {
    super(`billing report does not add up: ${detail}`);
    this.name = 'ReportImbalanceError';
  }
}

export interface QuarterlyReportOptions {
  /** '2026Q4' */
  quarter: string;
  /** Only this organisation. */
  org?: string;
}

export async function quarterlyReport(db: Db, options: QuarterlyReportOptions): Promise<QuarterlyReport> {
  const quarter = parseQuarter(options.quarter);
  // Repeatable read: the lines and the independent total see the same events even while
  // activities keep recording new ones.
  const { rows, total } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      let inQuarter = tx
        .selectFrom('usage_events as u')
        .where('u.occurred_at', '>=', quarter.start)
        .where('u.occurred_at', '<', quarter.end);
      if (options.org !== undefined) inQuarter = inQuarter.where('u.org_number', '=', options.org);
      const rows = await inQuarter
        .leftJoin('organisations as o', 'o.org_number', 'u.org_number')
        .select([
          'u.org_number',
          'o.name',
          'u.kind',
          'u.provider',
          'u.unit_price_ore',
          'u.currency',
          sql<number>`count(*)::int`.as('events'),
          sql<string>`sum(u.quantity)::text`.as('quantity'),
          sql<string>`sum(u.amount_ore)::text`.as('amount_ore'),
        ])
        .groupBy(['u.org_number', 'o.name', 'u.kind', 'u.provider', 'u.unit_price_ore', 'u.currency'])
        .execute();
      const sum = await inQuarter
        .select(sql<string>`coalesce(sum(u.amount_ore), 0)::text`.as('total'))
        .executeTakeFirstOrThrow();
      return { rows, total: toSafeInteger(sum.total, 'database total') };
    });
  const report = buildQuarterlyReport(quarter, rows);
  if (report.totalOre !== total) {
    throw new ReportImbalanceError(`lines sum to ${report.totalOre} øre, the database sums ${total} øre`);
  }
  return report;
}

const kindOrder = new Map<string, number>(BILLABLE_KINDS.map((k, i) => [k, i]));

/** Pure: the report from grouped rows, sorted and totalled, checked to add up. */
export function buildQuarterlyReport(quarter: Quarter, rows: UsageAggregateRow[]): QuarterlyReport {
  const byOrg = new Map<string, OrganisationUsage>();
  for (const row of rows) {
    if (row.currency !== CURRENCY) {
      throw new ReportImbalanceError(`event in ${row.currency}; this report sums ${CURRENCY} only`);
    }
    let org = byOrg.get(row.org_number);
    if (!org) {
      org = { orgNumber: row.org_number, name: row.name, lines: [], totalOre: 0 };
      byOrg.set(row.org_number, org);
    }
    const described = KIND_DESCRIPTIONS[row.kind as keyof typeof KIND_DESCRIPTIONS] ?? row.kind;
    org.lines.push({
      kind: row.kind,
      ...(row.provider ? { provider: row.provider } : {}),
      // "Advanced signature (BankID or Buypass)" becomes "Advanced signature (BankID)".
      description: row.provider ? `${described.replace(/\s*\(.*\)$/, '')} (${row.provider})` : described,
      unitPriceOre: row.unit_price_ore,
      events: row.events,
      quantity: toSafeInteger(row.quantity, `quantity of ${row.org_number} ${row.kind}`),
      amountOre: toSafeInteger(row.amount_ore, `amount of ${row.org_number} ${row.kind}`),
    });
  }
  const organisations = [...byOrg.values()].sort((a, b) => compare(a.orgNumber, b.orgNumber));
  for (const org of organisations) {
    org.lines.sort(
      (a, b) =>
        (kindOrder.get(a.kind) ?? Number.MAX_SAFE_INTEGER) -
          (kindOrder.get(b.kind) ?? Number.MAX_SAFE_INTEGER) ||
        compare(a.kind, b.kind) ||
        compare(a.provider ?? '', b.provider ?? '') ||
        a.unitPriceOre - b.unitPriceOre,
    );
    org.totalOre = sumSafe(org.lines.map((l) => l.amountOre));
  }
  const report: QuarterlyReport = {
    quarter: quarter.label,
    start: quarter.start,
    end: quarter.end,
    currency: CURRENCY,
    organisations,
    totalOre: sumSafe(organisations.map((o) => o.totalOre)),
  };
  assertReportBalances(report);
  return report;
}

/**
 * Throws ReportImbalanceError unless every line is quantity × unit price, every organisation's
 * total is the sum of its lines and the grand total the sum of the organisations'.
 */
export function assertReportBalances(report: QuarterlyReport): void {
  for (const org of report.organisations) {
    for (const line of org.lines) {
      if (line.quantity * line.unitPriceOre !== line.amountOre) {
        throw new ReportImbalanceError(
          `${org.orgNumber} ${line.kind}: ${line.quantity} × ${line.unitPriceOre} ≠ ${line.amountOre} øre`,
        );
      }
    }
    const linesTotal = sumSafe(org.lines.map((l) => l.amountOre));
    if (linesTotal !== org.totalOre) {
      throw new ReportImbalanceError(
        `${org.orgNumber}: lines sum to ${linesTotal}, total says ${org.totalOre} øre`,
      );
    }
  }
  const orgsTotal = sumSafe(report.organisations.map((o) => o.totalOre));
  if (orgsTotal !== report.totalOre) {
    throw new ReportImbalanceError(
      `organisations sum to ${orgsTotal}, grand total says ${report.totalOre} øre`,
    );
  }
}

function sumSafe(amounts: number[]): number {
  const total = amounts.reduce((sum, a) => sum + a, 0);
  if (!Number.isSafeInteger(total))
    throw new ReportImbalanceError(`total ${total} øre is beyond exact integers`);
  return total;
}

function toSafeInteger(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ReportImbalanceError(`${what} ${text} is not an exact integer`);
  return value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
