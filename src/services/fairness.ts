/**
 * What every job's workflow carries to the task queue so that one sender's burst cannot hold up
 * another's (docs/scaling.md): the sender organisation as its fairness key, with the weight the
 * operator gave that sender. Activities inherit both from their workflow on the server.
 *
 * TASK_FAIRNESS=off (for comparison, with the server's fairness off too) starts jobs without it.
 */
import type { Priority } from '@temporalio/common';
import { fairnessWeightOf } from '../db/fairness-weights.js';
import type { Db } from '../db/index.js';

/** How long a weight read is reused: a weight set by the operator reaches new starts within it. */
export const WEIGHT_CACHE_MS = 30_000;

const cached = new Map<string, { weight: number; until: number }>();

export const fairnessEnabled = (env: Record<string, string | undefined> = process.env) =>
  env.TASK_FAIRNESS !== 'off';

/** The priority a job of `org` starts with, or undefined with fairness switched off. */
export async function startPriority(db: Db, org: string, now = Date.now()): Promise<Priority | undefined> {
  if (!fairnessEnabled()) return undefined;
  let entry = cached.get(org);
  if (!entry || entry.until <= now) {
    entry = { weight: await fairnessWeightOf(db, org), until: now + WEIGHT_CACHE_MS };
    cached.set(org, entry);
  }
  return { fairnessKey: org, fairnessWeight: entry.weight };
}
