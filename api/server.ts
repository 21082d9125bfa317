/** Serves the Hono app over HTTP with Node; returns a handle that closes it. */
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';

export async function listen(app: Hono<any>, host: string, port: number): Promise<{ server: ServerType; close(): Promise<void> }> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
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
