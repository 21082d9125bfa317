/**
 * The worker's `/metrics` and `/healthz` endpoints (the worker has no HTTP server of its own).
 *
 * `/metrics`: one scrape returns
 * the worker's own metrics and, when `temporalMetricsUrl` is given, the Temporal SDK's metrics
 * appended: the SDK's core serves them on its own Prometheus endpoint (installTemporalRuntime
 * with a loopback bindAddress), fetched here per scrape so Prometheus needs one target per worker.
 * The two sets never share a name (esign_ vs temporal_ prefixes), so the texts concatenate.
 *
 * `/healthz`: 200 while `health()` says ok, 503 otherwise (starting, stopping, stopped, failed),
 * with the state as JSON; the container health check and the orchestrator read it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  registry: Registry;
  /** Default 0.0.0.0: scraped from outside the container. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** e.g. 'http://127.0.0.1:9465/metrics', the SDK core's exporter. */
  temporalMetricsUrl?: string;
  /** Answers GET /healthz; without it /healthz is 404. */
  health?: () => HealthStatus;
}

export interface HealthStatus {
  ok: boolean;
  /** Shown in the answer, e.g. the worker's state: RUNNING, STOPPING, FAILED. */
  status: string;
}

export interface MetricsServer {
  /** The /metrics URL (loopback when bound to every interface). */
  url: string;
  /** The /healthz URL beside it. */
  healthUrl: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz' && options.health) {
      const { ok, status } = options.health();
      res
        .writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(`${JSON.stringify({ status })}\n`);
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    scrape(options)
      .then((body) => res.writeHead(200, { 'Content-Type': options.registry.contentType }).end(body))
      .catch((err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}/metrics`,
    healthUrl: `http://${host}:${port}/healthz`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A scraper's keep-alive connection would otherwise hold close() open for its timeout.
        server.closeIdleConnections();
      }),
  };
}

async function scrape(options: MetricsServerOptions): Promise<string> {
  const own = await options.registry.metrics();
  if (!options.temporalMetricsUrl) return own;
  // The SDK's exporter being down must not hide the worker's own metrics: note it and go on.
  try {
    const response = await fetch(options.temporalMetricsUrl, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const temporal = await response.text();
    return `${own.endsWith('\n') ? own : `${own}\n`}${temporal}`;
  } catch (err) {
    return `${own}\n# Temporal SDK metrics unavailable: ${(err as Error).message.replace(/\s+/g, ' ')}\n`;
  }
}
