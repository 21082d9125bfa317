/**
 * Run from a clone by test/ops/clone-0700.test.ts: starts the embedded PostgreSQL with its data
 * in argv[2] on port argv[3], and prints (one JSON line) the database it answered from, the
 * program that served the query and the user it ran as, read from /proc while it runs.
 */
import { readFileSync, realpathSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../../src/dev/embedded-postgres.js';

const [dataDir, port] = process.argv.slice(2);
const server = await startEmbeddedPostgres({ dataDir: dataDir!, port: Number(port), database: 'clone' });
try {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query<{ pid: number; db: string }>(
    'select pg_backend_pid() as pid, current_database() as db',
  );
  // The backend serving this connection lives as long as the connection: read it first.
  const { pid, db } = rows[0]!;
  const exe = realpathSync(`/proc/${pid}/exe`);
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  await client.end();
  console.log(JSON.stringify({ db, exe, uid }));
} finally {
  await server.stop();
}
