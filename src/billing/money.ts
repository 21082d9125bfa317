/**
 * Money for display. Amounts are integer øre everywhere; NOK with two decimals is produced here by
 * integer division (BigInt), never through floating point, so 1 999 999 999 999 øre prints as
 * 19999999999.99 and not as whatever the nearest double happens to be.
 */

/** Integer øre → NOK with two decimals and a dot: 172 → '1.72', 5 → '0.05', -40 → '-0.40'. */
export function formatNok(ore: number | bigint): string {
  if (typeof ore === 'number' && !Number.isSafeInteger(ore)) {
    throw new RangeError(`an amount in øre must be a safe integer, got ${ore}`);
  }
  const value = BigInt(ore);
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  return `${sign}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}`;
}
