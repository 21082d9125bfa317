/**
 * Serves the Hono app with Node over HTTP, or over HTTPS with optional client certificates
 * (mutual TLS: api/json/auth.ts then reads the organisation from the certificate). Returns a handle
 * that closes it.
 */
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { type Config, HTTP_LIMIT_DEFAULTS } from '../../src/config.js';
import { enforceBodyRate } from '../../src/http/body-rate.js';
import { type ConnectionCounts, capConnections } from '../../src/http/connection-caps.js';
import type { AppEnv } from '../deps.js';

export interface TlsOptions {
  /** PEM private key and certificate chain of the server. */
  key: string | Buffer;
  cert: string | Buffer;
  /** PEM CA certificates that client certificates must chain to. */
  ca?: string | Buffer | (string | Buffer)[];
  /**
   * Ask clients for a certificate. Connections without one, or with an untrusted one, are still
   * accepted (they may authenticate with an API key); only a trusted certificate counts.
   */
  requestCert?: boolean;
}

/**
 * How long a client may take and how many may be connected: without them, a client sending a byte
 * a second holds a connection for Node's default 300 s, and one client opening a thousand sockets
 * takes every slot.
 */
export interface HttpLimits {
  /** Time to send the request headers. */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** Time without a byte either way during a request (a client that stops reading its answer). */
  idleTimeoutMs: number;
  /** Connections open at once; more are closed as they come (beyond a reserve for monitoring). */
  maxConnections: number;
  /** Connections open at once from one address (0: no cap; a proxy in front caps per client). */
  maxConnectionsPerAddress: number;
  /** Bytes a second a body must average once past bodyRateGraceMs, else 408 (0: no minimum). */
  bodyMinBytesPerSecond: number;
  bodyRateGraceMs: number;
}

/**
 * Connections taken beyond maxConnections for `/healthz` and `/metrics` only: when many addresses
 * together have filled every slot, the orchestrator's probe still learns that the process lives.
 */
export const MONITORING_RESERVE = 16;
const MONITORING_PATHS = ['/healthz', '/metrics'];

/** The configuration's values (HTTP_* in src/config.ts, where the defaults are documented). */
export function httpLimitsFromConfig(
  c: Pick<
    Config,
    | 'HTTP_HEADERS_TIMEOUT_MS'
    | 'HTTP_REQUEST_TIMEOUT_MS'
    | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
    | 'HTTP_IDLE_TIMEOUT_MS'
    | 'HTTP_MAX_CONNECTIONS'
    | 'HTTP_MAX_CONNECTIONS_PER_ADDRESS'
    | 'HTTP_BODY_MIN_BYTES_PER_SECOND'
    | 'HTTP_BODY_RATE_GRACE_MS'
  >,
): HttpLimits {
  return {
    headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleTimeoutMs: c.HTTP_IDLE_TIMEOUT_MS,
    maxConnections: c.HTTP_MAX_CONNECTIONS,
    maxConnectionsPerAddress: c.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
    bodyMinBytesPerSecond: c.HTTP_BODY_MIN_BYTES_PER_SECOND,
    bodyRateGraceMs: c.HTTP_BODY_RATE_GRACE_MS,
  };
}

/** Connections the kernel may hold for the server before it accepts them. */
const LISTEN_BACKLOG = 4096;

export async function listen(
  app: Hono<AppEnv>,
  host: string,
  port: number,
  tls?: TlsOptions,
  limits: HttpLimits = httpLimitsFromConfig(HTTP_LIMIT_DEFAULTS),
): Promise<{ server: ServerType; connections: ConnectionCounts; close(): Promise<void> }> {
  // Node checks the header and request timeouts on this interval (default 30 s, which would
  // let a slow client stay up to 30 s past its limit).
  const timing = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = createAdaptorServer({
      fetch: app.fetch,
      ...(tls
        ? {
            createServer: createHttpsServer,
            serverOptions: {
              ...timing,
              key: tls.key,
              cert: tls.cert,
              ...(tls.ca ? { ca: tls.ca } : {}),
              requestCert: tls.requestCert ?? false,
              rejectUnauthorized: false,
            },
          }
        : { serverOptions: timing }),
    });
    s.once('error', reject);
    // A long accept queue: a client that opens connections faster than the event loop takes them
    // would otherwise fill Node's default of 511, and the kernel would drop everyone else's
    // connection attempts (a health probe then waits for the SYN's retransmission, 1 s and more).
    // The kernel caps it at net.core.somaxconn (4096 on current Linux).
    s.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve(s));
  });
  const http = server as Server;
  http.headersTimeout = limits.headersTimeoutMs;
  http.requestTimeout = limits.requestTimeoutMs;
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  http.timeout = limits.idleTimeoutMs;
  // Node refuses past this before a socket is even made; the caps below decide up to it.
  http.maxConnections = limits.maxConnections + MONITORING_RESERVE;
  const connections = capConnections(http, {
    maxConnections: limits.maxConnections,
    maxPerAddress: limits.maxConnectionsPerAddress,
    monitoringReserve: MONITORING_RESERVE,
    monitoringPaths: MONITORING_PATHS,
  });
  enforceBodyRate(http, {
    minBytesPerSecond: limits.bodyMinBytesPerSecond,
    graceMs: limits.bodyRateGraceMs,
  });
  return {
    server,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open; end them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
