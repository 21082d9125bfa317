/**
 * Serves the Hono app with Node over HTTP, or over HTTPS with optional client certificates
 * (mutual TLS: api/auth.ts then reads the organisation from the certificate). Returns a handle
 * that closes it.
 */
import { createServer as createHttpsServer } from 'node:https';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
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

export async function listen(
  app: Hono<AppEnv>,
  host: string,
  port: number,
  tls?: TlsOptions,
): Promise<{ server: ServerType; close(): Promise<void> }> {
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
                key: tls.key,
                cert: tls.cert,
                ...(tls.ca ? { ca: tls.ca } : {}),
                requestCert: tls.requestCert ?? false,
                rejectUnauthorized: false,
              },
            }
          : {}),
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
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
