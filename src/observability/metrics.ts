/**
 * Prometheus metrics (prom-client) of the API and the worker, on a registry per process rather
 * than prom-client's global one, so tests and several apps in one process do not share counters.
 *
 * Label values are bounded on purpose: routes are the matched route *patterns*
 * ('/api/:org/jobs/:id'), never raw URLs; methods outside the standard set count as OTHER;
 * activities by type. Nothing that names a person, a job or an organisation becomes a label.
 */
import type { Context, Handler, MiddlewareHandler } from 'hono';
import { matchedRoutes, routePath } from 'hono/route';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'esign_';

export interface MetricsRegistryOptions {
  /** Process metrics (CPU, memory, event loop lag, GC) with the esign_ prefix. Default true. */
  defaultMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/**
 * The counter of that name in the registry, created on first use: two callers (the API's
 * middleware and a test, two apps in one process) share it instead of failing to register.
 */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

/** As counter(), for a histogram with these bucket bounds (seconds). */
function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
) {
  return (
    (registry.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram({ name, help, labelNames, buckets, registers: [registry] })
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP (API)

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status_class'>;
  rateLimited: Counter<'route'>;
}

// Requests and activity attempts. Up to 30 s: a 34 MB multipart job creation over a slow link
// is a legitimate request, and an activity may wait that long on an outside service.
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: counter(
      registry,
      `${METRIC_PREFIX}http_requests_total`,
      'HTTP requests answered, by method, route pattern and status code',
      ['method', 'route', 'status'],
    ),
    duration: histogram(
      registry,
      `${METRIC_PREFIX}http_request_duration_seconds`,
      'Time to answer an HTTP request, by method, route pattern and status class (2xx, 4xx, ...)',
      ['method', 'route', 'status_class'],
      SECONDS_BUCKETS,
    ),
    rateLimited: counter(
      registry,
      `${METRIC_PREFIX}http_rate_limited_total`,
      'Requests refused with 429 Too Many Requests, by route pattern',
      ['route'],
    ),
  };
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Route label for requests no route answered (404 from notFound): scanners must not add series. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Hono middleware counting every request by method, matched route pattern and status, timing it,
 * and counting 429s. Register it first (`app.use('*', httpMetrics(registry))`) so it also sees
 * requests that authentication or the rate limit refuse.
 */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const metrics = createHttpMetrics(registry);
  return async (c, next) => {
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      // In finally: a request whose error escapes every handler still counts (as 500).
      const seconds = (performance.now() - started) / 1000;
      const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : 'OTHER';
      const route = metricRoute(c, status);
      metrics.requests.inc({ method, route, status: String(status) });
      metrics.duration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
      if (status === 429) metrics.rateLimited.inc({ route });
    }
  };
}

/**
 * The route pattern a request is counted under: the method-specific handler that matched (even if
 * a middleware answered first, e.g. a 429 from the rate limit), else the route that answered,
 * else UNMATCHED_ROUTE for a 404 no route matched. Parameter patterns are dropped for legibility:
 * '/api/:org{[0-9]{9}}/jobs/:id' is counted as '/api/:org/jobs/:id'.
 */
export function metricRoute(c: Context, status: number): string {
  const routes = matchedRoutes(c);
  const handler = routes.findLast((r) => r.method !== 'ALL');
  if (handler) return withoutParamPatterns(handler.path);
  if (status === 404) return UNMATCHED_ROUTE;
  return withoutParamPatterns(routePath(c)) || UNMATCHED_ROUTE;
}

/** Removes the `{regex}` after a path parameter; the regex may itself hold braces (`{9}`). */
export function withoutParamPatterns(path: string): string {
  let out = '';
  let depth = 0;
  for (const ch of path) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out;
}

/** `GET /metrics`: the registry in Prometheus text exposition format. */
export function metricsHandler(registry: Registry): Handler {
  return async (c) => c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
}

// ---------------------------------------------------------------------------------------------
// Worker

export interface WorkerMetrics {
  noticesSent: Counter<'channel' | 'kind'>;
  activityFailures: Counter<'activity_type'>;
  activityDuration: Histogram<'activity_type' | 'outcome'>;
  packagingDuration: Histogram<'outcome'>;
}

// Packaging validates, seals and time-stamps: seconds, and a minute for a large job on a slow TSA.
const PACKAGING_SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120];

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return {
    noticesSent: counter(
      registry,
      `${METRIC_PREFIX}notices_sent_total`,
      'Notices sent (handed to the mail server or SMS gateway), by channel (EMAIL, SMS) and kind (ACTIVATION, REMINDER, ... for signers; STATUS_CHANGED, ... for senders)',
      ['channel', 'kind'],
    ),
    activityFailures: counter(
      registry,
      `${METRIC_PREFIX}activity_failures_total`,
      'Failed activity attempts (each retry counts), by activity type',
      ['activity_type'],
    ),
    activityDuration: histogram(
      registry,
      `${METRIC_PREFIX}activity_duration_seconds`,
      'Time of one activity attempt, by activity type and outcome (success, failure)',
      ['activity_type', 'outcome'],
      SECONDS_BUCKETS,
    ),
    packagingDuration: histogram(
      registry,
      `${METRIC_PREFIX}packaging_duration_seconds`,
      'Time to package a completed job (validate, PAdES, seal, time-stamp), by outcome',
      ['outcome'],
      PACKAGING_SECONDS_BUCKETS,
    ),
  };
}

/** Runs `work` and records its duration in `histogram` with outcome success or failure. */
export async function timed<T>(histogram: Histogram<'outcome'>, work: () => Promise<T>): Promise<T> {
  const stop = histogram.startTimer();
  try {
    const result = await work();
    stop({ outcome: 'success' });
    return result;
  } catch (err) {
    stop({ outcome: 'failure' });
    throw err;
  }
}
