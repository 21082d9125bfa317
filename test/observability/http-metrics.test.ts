import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  createMetricsRegistry,
  httpMetrics,
  metricsHandler,
  UNMATCHED_ROUTE,
  withoutParamPatterns,
} from '../../src/observability/metrics.js';

/** A tiny app shaped like the real one: metrics first, a sub-app under a constrained parameter. */
function tinyApp() {
  const registry = createMetricsRegistry({ defaultMetrics: false });
  const app = new Hono();
  app.use('*', httpMetrics(registry));
  app.get('/metrics', metricsHandler(registry));
  app.get('/health', (c) => c.text('ok'));
  const jobs = new Hono();
  jobs.get('/jobs/:id', (c) =>
    c.req.param('id') === 'missing' ? c.json({}, 404) : c.json({ id: c.req.param('id') }),
  );
  jobs.post('/jobs', (c) => c.json({}, 201));
  // Refuses like the rate limit does: before the handler runs.
  app.use('/api/:org{[0-9]{9}}/*', async (c, next) => {
    if (c.req.header('x-over-limit')) return c.json({ error: 'TOO_MANY_REQUESTS' }, 429);
    await next();
  });
  app.route('/api/:org{[0-9]{9}}', jobs);
  // As the real app: an unexpected error is answered 500 by onError (the middleware sees that).
  app.onError((_err, c) => c.json({ error: 'INTERNAL_ERROR' }, 500));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  return { app, registry };
}

async function sample(
  registry: ReturnType<typeof createMetricsRegistry>,
  name: string,
  labels: Record<string, string>,
) {
  const metric = await registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) =>
    Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return found?.value ?? 0;
}

describe('httpMetrics', () => {
  it('counts requests by route pattern, not by URL, and by status', async () => {
    const { app, registry } = tinyApp();
    await app.request('/api/910000001/jobs/a1');
    await app.request('/api/910000002/jobs/b2');
    await app.request('/api/910000001/jobs/missing');
    await app.request('/api/910000001/jobs', { method: 'POST' });
    await app.request('/health');

    const requests = 'esign_http_requests_total';
    const route = '/api/:org/jobs/:id';
    expect(await sample(registry, requests, { method: 'GET', route, status: '200' })).toBe(2);
    expect(await sample(registry, requests, { method: 'GET', route, status: '404' })).toBe(1);
    expect(await sample(registry, requests, { method: 'POST', route: '/api/:org/jobs', status: '201' })).toBe(
      1,
    );
    expect(await sample(registry, requests, { method: 'GET', route: '/health', status: '200' })).toBe(1);
    expect(await registry.metrics()).toContain(
      `esign_http_request_duration_seconds_count{method="GET",route="${route}",status_class="2xx"} 2`,
    );
  });

  it('counts 429s under the route the request was for', async () => {
    const { app, registry } = tinyApp();
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/api/910000001/jobs/a1', { headers: { 'x-over-limit': '1' } });
      expect(res.status).toBe(429);
    }
    expect(await sample(registry, 'esign_http_rate_limited_total', { route: '/api/:org/jobs/:id' })).toBe(3);
    expect(
      await sample(registry, 'esign_http_requests_total', { route: '/api/:org/jobs/:id', status: '429' }),
    ).toBe(3);
  });

  it('keeps unknown paths and methods from adding series', async () => {
    const { app, registry } = tinyApp();
    await app.request('/wp-login.php');
    await app.request('/api/910000001/nothing-here');
    await app.request('/health', { method: 'PROPFIND' });
    const values = (await registry.getSingleMetric('esign_http_requests_total')?.get())?.values ?? [];
    expect(values.map((v) => [v.labels.method, v.labels.route, v.labels.status, v.value])).toEqual([
      ['GET', UNMATCHED_ROUTE, '404', 2],
      ['OTHER', UNMATCHED_ROUTE, '404', 1],
    ]);
  });

  it('counts an unhandled error as a 500', async () => {
    const { app, registry } = tinyApp();
    expect((await app.request('/boom')).status).toBe(500);
    expect(await sample(registry, 'esign_http_requests_total', { route: '/boom', status: '500' })).toBe(1);
  });

  it('exposes the counters on GET /metrics in the text format', async () => {
    const { app } = tinyApp();
    await app.request('/api/910000001/jobs/a1');
    await app.request('/api/910000001/jobs/a1', { headers: { 'x-over-limit': '1' } });
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE esign_http_requests_total counter');
    expect(text).toContain(
      'esign_http_requests_total{method="GET",route="/api/:org/jobs/:id",status="200"} 1',
    );
    expect(text).toContain('esign_http_rate_limited_total{route="/api/:org/jobs/:id"} 1');
    expect(text).toMatch(
      /esign_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/:org\/jobs\/:id"/,
    );
    expect(text).not.toContain('910000001');
  });
});

describe('withoutParamPatterns', () => {
  it.each([
    ['/api/:org{[0-9]{9}}/jobs/:id', '/api/:org/jobs/:id'],
    ['/files/:name{.+\\.pdf}', '/files/:name'],
    ['/health', '/health'],
  ])('%s → %s', (path, expected) => {
    expect(withoutParamPatterns(path)).toBe(expected);
  });
});
