/**
 * Recording billable events: each once (the idempotency key is unique; a repeat is ignored), priced
 * from the table in force at the time of recording. The price and currency are written with the
 * event, so changing the table later changes what new events cost and never what was billed.
 */
import type { Db } from '../db/index.js';
import type { UsageEvent } from './events.js';
import { BILLABLE_KINDS, CURRENCY, type PriceTable } from './prices.js';

/** The row values of one priced event (pure, so the pricing rule is testable without a database). */
export function priceUsageEvent(event: UsageEvent, prices: PriceTable) {
  if (!BILLABLE_KINDS.includes(event.kind)) throw new RangeError(`unknown billable kind ${event.kind}`);
  if (!Number.isInteger(event.quantity) || event.quantity < 1) {
    throw new RangeError(`quantity must be a positive integer, got ${event.quantity}`);
  }
  const unitPrice = prices[event.kind];
  return {
    org_number: event.orgNumber,
    job_id: event.jobId,
    kind: event.kind,
    quantity: event.quantity,
    unit_price_ore: unitPrice,
    amount_ore: event.quantity * unitPrice,
    currency: CURRENCY,
    occurred_at: event.occurredAt,
    idempotency_key: event.idempotencyKey,
    provider: event.provider ?? null,
  };
}

/**
 * Records one billable event once. Returns true when this call recorded it, false when an event
 * with the same idempotency key was already there (a retry, a replay, a concurrent duplicate);
 * the earlier row, with its price, stands.
 */
export async function recordUsage(db: Db, event: UsageEvent, prices: PriceTable): Promise<boolean> {
  return (await recordUsageEvents(db, [event], prices)) === 1;
}

/**
 * Records several events in one statement (all priced from the same table, atomically); returns
 * how many were new. For the price elements of one signature (signingUsageEvents).
 */
export async function recordUsageEvents(db: Db, events: UsageEvent[], prices: PriceTable): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((e) => priceUsageEvent(e, prices));
  const inserted = await db
    .insertInto('usage_events')
    .values(rows)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
