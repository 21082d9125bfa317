/**
 * Request rate limits shared by every API process through PostgreSQL: a fixed one-second window
 * per key, counted with one atomic upsert, and a block once the window's limit is exceeded. The
 * block runs from the breach; requests during it are refused without being counted, so it ends on
 * time however hard the sender keeps knocking.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';

export interface RateLimitOptions {
  /** Requests allowed per one-second window. */
  requestsPerSecond: number;
  /** How long a key that exceeded its limit stays refused. */
  blockSeconds: number;
}

/** The national service's rule: at most 10 calls per second, then blocked for 30 seconds. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { requestsPerSecond: 10, blockSeconds: 30 };

/**
 * The limit a sender's requests are counted against: its own requests per second when the
 * operator set one (0: none, so null here), else the configured default; the block is the same.
 */
export function senderLimit(
  own: number | null | undefined,
  configured: RateLimitOptions,
): RateLimitOptions | null {
  if (own === null || own === undefined) return configured;
  return own === 0 ? null : { ...configured, requestsPerSecond: own };
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; blockedUntil: Date; retryAfterSeconds: number };

export async function consumeRequest(db: Db, key: string, opts: RateLimitOptions): Promise<RateDecision> {
  const { rows } = await sql<{ blocked_until: Date | null; now: Date }>`
    insert into rate_limits as r (key, window_start, hits, blocked_until)
    values (${key}, now(), 1, null)
    on conflict (key) do update set
      hits = case
        when r.blocked_until > now() then r.hits
        when r.window_start <= now() - interval '1 second' then 1
        else r.hits + 1
      end,
      blocked_until = case
        when r.blocked_until > now() then r.blocked_until
        when r.window_start > now() - interval '1 second' and r.hits + 1 > ${opts.requestsPerSecond}
          then now() + make_interval(secs => ${opts.blockSeconds})
        else null
      end,
      window_start = case
        when r.blocked_until > now() then r.window_start
        when r.window_start <= now() - interval '1 second' then now()
        else r.window_start
      end
    returning blocked_until, now() as now`.execute(db);
  const row = rows[0]!;
  if (!row.blocked_until || row.blocked_until <= row.now) return { allowed: true };
  const retryAfterSeconds = Math.max(1, Math.ceil((row.blocked_until.getTime() - row.now.getTime()) / 1000));
  return { allowed: false, blockedUntil: row.blocked_until, retryAfterSeconds };
}
