/** A tiny stand-in for the sender's site: answers the direct flow's exit URLs and remembers the visits. */
import { createServer, type Server } from 'node:http';
import { freePort } from '../ports.js';

export interface ExitServer {
  exitUrls: { completionUrl: string; rejectionUrl: string; errorUrl: string };
  visits: URL[];
  close(): Promise<void>;
}

export async function startExitServer(): Promise<ExitServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const visits: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    visits.push(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!DOCTYPE html><html lang="en"><title>Sender</title><h1>Back at the sender: ${url.pathname}</h1></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    exitUrls: { completionUrl: `${base}/done`, rejectionUrl: `${base}/rejected`, errorUrl: `${base}/error` },
    visits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
