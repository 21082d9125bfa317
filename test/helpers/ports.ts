import { createServer, type Server } from 'node:net';

/** Binds a TCP port on loopback that the OS picks; the server holds it until closed. */
function bindAnyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    );
  });
}

/** A TCP port free on loopback right now (the OS picks it). Use it at once: nothing holds it. */
export async function freePort(): Promise<number> {
  const { server, port } = await bindAnyPort();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A loopback port held until `release()`, for a server that needs its port known long before it
 * listens (its public URL goes into configuration made first). While held, no other process, and
 * no server of another test file started meanwhile, can bind it; release it right before listening.
 */
export async function reservePort(): Promise<{ port: number; release: () => Promise<void> }> {
  const { server, port } = await bindAnyPort();
  server.unref(); // held, but never what keeps a test process running
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
