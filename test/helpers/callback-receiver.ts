/** A sender's callback endpoint on loopback: records each POST's body and signature, answers 204. */
import { createServer } from 'node:http';
import { freePort } from './ports.js';

export interface CallbackReceiver {
  url: string;
  received: { body: string; signature: string }[];
  close(): void;
}

export async function startCallbackReceiver(path: string): Promise<CallbackReceiver> {
  const received: CallbackReceiver['received'] = [];
  const port = await freePort();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['x-signature'] ?? '') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}${path}`, received, close: () => server.close() };
}
