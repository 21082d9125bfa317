/**
 * Chained signing: signers with the same `order` form a group and sign in parallel; groups are
 * activated one after the other in ascending order. Pure (workflow code imports it).
 */

/** Signers that sign in parallel, and the order value they share. */
export interface SignerGroup<T> {
  order: number;
  signers: T[];
}

/**
 * Groups signers by `order`, ascending by distinct order value. Within a group the signers keep
 * the order they were given in, so the result is stable for a given input (workflow replay relies
 * on that). Gaps in the order values (0, 2, 5) are fine: only the relative order matters.
 */
export function signerGroups<T extends { id: string; order: number }>(
  signers: readonly T[],
): SignerGroup<T>[] {
  const byOrder = new Map<number, T[]>();
  for (const signer of signers) {
    const group = byOrder.get(signer.order);
    if (group) group.push(signer);
    else byOrder.set(signer.order, [signer]);
  }
  return [...byOrder.entries()]
    .sort(([a], [b]) => a - b)
    .map(([order, members]) => ({ order, signers: members }));
}
