/** Senders' fairness weights on the task queue (migration 0032, docs/scaling.md). */
import type { Db } from './index.js';

/** The bounds the Temporal server clamps a weight to: the CLI refuses what it would change. */
export const MIN_FAIRNESS_WEIGHT = 0.001;
export const MAX_FAIRNESS_WEIGHT = 1000;

/** The sender's weight; 1 (an equal share) for an organisation not registered. */
export async function fairnessWeightOf(db: Db, orgNumber: string): Promise<number> {
  const row = await db
    .selectFrom('organisations')
    .select('fairness_weight')
    .where('org_number', '=', orgNumber)
    .executeTakeFirst();
  return row?.fairness_weight ?? 1;
}

/** Sets the sender's weight; false when no such organisation is registered. */
export async function setFairnessWeight(db: Db, orgNumber: string, weight: number): Promise<boolean> {
  const updated = await db
    .updateTable('organisations')
    .set({ fairness_weight: weight })
    .where('org_number', '=', orgNumber)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
