/**
 * Local stand-ins of the outside world for the notification tests: SMTP and HTTP servers, and a
 * database per test file (a job row for tables that reference jobs: insertJobRow in jobs.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { startSmtpSink } from '../../src/dev/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { freePort } from './ports.js';

/**
 * A fresh migrated database for the test file, created before its tests (then `prepare`d) and
 * closed after them. Returns a getter: the database exists only once `beforeAll` has run.
 */
export function useTestDatabase(prepare?: (db: Db) => Promise<void>): () => Db {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    await prepare?.(t.db);
  });
  afterAll(async () => {
    await t?.db.destroy();
  });
  return () => t!.db;
}

/** The development SMTP sink on a free port, writing into a fresh folder. */
export async function startTestSmtpSink() {
  const dir = await mkdtemp(join(tmpdir(), 'esign-mail-'));
  const sink = await startSmtpSink({ port: await freePort(), dir });
  return {
    ...sink,
    stop: async () => {
      await sink.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server on loopback that records requests and answers with `respond`. */
export async function startHttpServer(
  respond: (req: ReceivedRequest, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end(),
) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      respond(received, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
