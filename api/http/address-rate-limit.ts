/**
 * A rate limit per client address on everything anyone can reach without an API key: the pages
 * (login, one-time code, signing, portals), `/tsa`, `/api/verify`, `/pki`, the docs, and any path
 * that does not exist. Only `/healthz` and `/metrics` (monitoring), the pages' static assets and
 * the sender APIs, JSON and XML (limited per organisation, api/http/rate-limit.ts), are outside it.
 * The XML API must be: behind the compose proxy's TLS passthrough every sender's connection comes
 * from the proxy's one address, so a limit per address would be one limit for all senders.
 *
 * Counted per process in memory, as a token bucket per address, not in PostgreSQL like the
 * sender limit: the point is to refuse a flood (1,000 requests a second from one address)
 * cheaply, and an upsert per refused request would make the limiter itself the load on the
 * database; addresses, unlike organisations, are unbounded (they would need pruning from a
 * table). The cost: with N API processes an address gets N times the rate, so PUBLIC_RATE_LIMIT_*
 * is per process. The address is the one the audit trail records (TRUST_PROXY_HOPS).
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../../src/config.js';
import type { AddressRateLimit, ApiDeps } from '../deps.js';
import { requestClientAddress } from './client-address.js';
import { errorBody } from './errors.js';

export type { AddressRateLimit } from '../deps.js';

/** The limit the configuration sets (PUBLIC_RATE_LIMIT_PER_SECOND 0: none). */
export function addressRateLimitFromConfig(
  c: Pick<Config, 'PUBLIC_RATE_LIMIT_PER_SECOND' | 'PUBLIC_RATE_LIMIT_BURST'>,
): AddressRateLimit | false {
  return c.PUBLIC_RATE_LIMIT_PER_SECOND === 0
    ? false
    : { requestsPerSecond: c.PUBLIC_RATE_LIMIT_PER_SECOND, burst: c.PUBLIC_RATE_LIMIT_BURST };
}

/** Addresses remembered at most; past it, those whose bucket is full again are forgotten first. */
const MAX_TRACKED_ADDRESSES = 100_000;

/** Token buckets by key: `take` spends one token, or says how long until one is there. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limit: AddressRateLimit) {}

  /** 0 when allowed, else the milliseconds until a token is back. */
  take(key: string, now = Date.now()): number {
    const { requestsPerSecond: rate, burst } = this.limit;
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate) : burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil(((1 - tokens) / rate) * 1000);
    }
    if (!b && this.buckets.size >= MAX_TRACKED_ADDRESSES) this.prune(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Forgets buckets that have refilled (they hold nothing), else the oldest half. */
  private prune(now: number): void {
    const { requestsPerSecond: rate, burst } = this.limit;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * rate >= burst) this.buckets.delete(key);
    }
    if (this.buckets.size < MAX_TRACKED_ADDRESSES) return;
    let drop = this.buckets.size / 2;
    for (const key of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}

/** Paths outside the limit: monitoring, static assets, and the sender APIs (their own limit). */
function exempt(path: string): boolean {
  return (
    path === '/healthz' ||
    path === '/metrics' ||
    path.startsWith('/assets/') ||
    path.startsWith('/docs/assets/') ||
    /^\/api\/(\d{9}|dev)(\/|$)/.test(path) ||
    /^\/xml-api\/\d{9}(\/|$)/.test(path)
  );
}

function refuse(c: Context, waitMs: number) {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  c.header('Retry-After', String(seconds));
  const message = `too many requests from this address; try again in ${seconds} s`;
  // Pages are read by people, the rest by programs that expect the API's error shape.
  const isApi = /^\/(api|tsa|pki|openapi\.json)(\/|$)/.test(c.req.path);
  return isApi ? c.json(errorBody('RATE_LIMITED', message), 429) : c.text(message, 429);
}

export function rateLimitAddresses(deps: Pick<ApiDeps, 'addressRateLimit' | 'config'>) {
  const limit = deps.addressRateLimit;
  const buckets = limit ? new TokenBuckets(limit) : undefined;
  return createMiddleware(async (c, next) => {
    if (!buckets || exempt(c.req.path)) return next();
    const address = requestClientAddress(c, deps.config.TRUST_PROXY_HOPS ?? 0);
    const waitMs = buckets.take(address);
    if (waitMs > 0) return refuse(c, waitMs);
    return next();
  });
}
