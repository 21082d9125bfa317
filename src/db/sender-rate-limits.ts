/** Senders' own API rate limits, set by the operator (migration 0034, docs/operations.md#admin-cli). */
import type { Db } from './index.js';

/**
 * The highest limit the CLI takes: far above what one API process answers, so a number beyond it
 * is a typing error rather than a wish (0 is the way to say "no limit").
 */
export const MAX_SENDER_RATE_LIMIT = 100_000;

/**
 * Sets the sender's requests per second (null: back to the configured default; 0: no limit);
 * false when no such organisation is registered.
 */
export async function setSenderRateLimit(
  db: Db,
  orgNumber: string,
  perSecond: number | null,
): Promise<boolean> {
  const updated = await db
    .updateTable('organisations')
    .set({ rate_limit_per_second: perSecond })
    .where('org_number', '=', orgNumber)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
