/**
 * Serves the Hono app with Node over HTTP, or over HTTPS with optional client certificates
 * (mutual TLS: api/auth.ts then reads the organisation from the certificate). Returns a handle
 * that closes it.
 */
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { type Config, HTTP_LIMIT_DEFAULTS } from '../src/config.js';
import type { AppEnv } from './deps.js';

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
 * a second holds a connection for Node's default 300 s, and nothing caps how many do.
 */
export interface HttpLimits {
  /** Time to send the request headers. */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as they come. */
  maxConnections: number;
}

/** The configuration's values (HTTP_* in src/config.ts, where the defaults are documented). */
export function httpLimitsFromConfig(
  c: Pick<
    Config,
    | 'HTTP_HEADERS_TIMEOUT_MS'
    | 'HTTP_REQUEST_TIMEOUT_MS'
    | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
    | 'HTTP_MAX_CONNECTIONS'
  >,
): HttpLimits {
  return {
    headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: c.HTTP_MAX_CONNECTIONS,
  };
}

export async function listen(
  app: Hono<AppEnv>,
  host: string,
  port: number,
  tls?: TlsOptions,
  limits: HttpLimits = httpLimitsFromConfig(HTTP_LIMIT_DEFAULTS),
): Promise<{ server: ServerType; close(): Promise<void> }> {
  // Node checks the header and request timeouts on this interval (default 30 s, which would
  // let a slow client stay up to 30 s past its limit).
  const timing = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: host,
        port,
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
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const http = server as Server;
  http.headersTimeout = limits.headersTimeoutMs;
  http.requestTimeout = limits.requestTimeoutMs;
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  http.maxConnections = limits.maxConnections;
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open; end them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
