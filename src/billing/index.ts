/** Usage metering and the quarterly billing report (issue 8). */
export {
  type Flow,
  longTermStorageUsageEvent,
  type NoticeSent,
  noticeUsageEvent,
  oneOffUsageEvent,
  type SignatureType,
  type SignedBySigner,
  type StorageYearBegun,
  signingKinds,
  signingUsageEvents,
  type UsageEvent,
} from './events.js';
export { CSV_HEADER, toCsv, toJson } from './format.js';
export { formatNok } from './money.js';
export {
  BILLABLE_KINDS,
  type BillableKind,
  CURRENCY,
  DEFAULT_PRICES,
  KIND_DESCRIPTIONS,
  loadPriceTable,
  type PriceTable,
  PriceTableError,
} from './prices.js';
export { parseQuarter, previousQuarter, type Quarter, quarterContaining, quarterOf } from './quarter.js';
export {
  assertReportBalances,
  buildQuarterlyReport,
  type OrganisationUsage,
  type QuarterlyReport,
  quarterlyReport,
  ReportImbalanceError,
  type ReportLine,
} from './report.js';
export { priceUsageEvent, recordUsage, recordUsageEvents } from './usage.js';
