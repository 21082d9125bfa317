/** A fresh, migrated database per test file, copied from the run's template database. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/index.js';
import { ensureDatabase } from '../../src/dev/embedded-postgres.js';

export interface TestDatabase {
  db: Db;
  url: string;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name, 'esign_template');
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  return { db: createDb(url, 5), url };
}
