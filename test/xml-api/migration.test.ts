/**
 * Migration 0014_xml_api on a database that already holds jobs: each gets a numeric id in creation
 * order, new jobs continue the sequence, ids are unique; down removes the column and the broker table.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db, migrateTo, migrateToLatest } from '../../src/db/index.js';
import { ensureDatabase } from '../../src/dev/embedded-postgres.js';

let db: Db;
const older = randomUUID();
const newer = randomUUID();

const insertJob = (id: string, createdAt: string) =>
  sql`insert into signature_jobs (id, org_number, flow, status, title, request, request_hash, created_at)
      values (${id}, '987654325', 'direct', 'IN_PROGRESS', 'Job', '{}', 'h', ${createdAt})`.execute(db);

beforeAll(async () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `m_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  db = createDb(adminUrl.replace(/\/postgres$/, `/${name}`), 2);
  await migrateTo(db, '0011_workflow_started');
  await sql`insert into organisations (org_number, name, sector) values ('987654325', 'Sender', 'PUBLIC')`.execute(
    db,
  );
  // Inserted newest first: the numbering follows creation time, not insertion order.
  await insertJob(newer, '2026-02-01T00:00:00Z');
  await insertJob(older, '2026-01-01T00:00:00Z');
});
afterAll(async () => db?.destroy());

const numericIds = async () =>
  (
    await sql<{
      id: string;
      numeric_id: string;
    }>`select id, numeric_id from signature_jobs order by numeric_id`.execute(db)
  ).rows;

describe('migration 0014_xml_api', () => {
  it('numbers existing jobs in creation order; a new job continues the sequence; ids are unique', async () => {
    await migrateToLatest(db);
    expect(await numericIds()).toEqual([
      { id: older, numeric_id: '1' },
      { id: newer, numeric_id: '2' },
    ]);
    const third = randomUUID();
    await insertJob(third, '2026-03-01T00:00:00Z');
    expect((await numericIds()).at(-1)).toEqual({ id: third, numeric_id: '3' });
    await expect(
      sql`update signature_jobs set numeric_id = 1 where id = ${third}`.execute(db),
    ).rejects.toThrow(/unique/);
  });

  it('goes down and up again', async () => {
    await migrateTo(db, '0011_workflow_started');
    const { rows } = await sql<{ n: string }>`select count(*) as n from information_schema.columns
      where table_name = 'signature_jobs' and column_name = 'numeric_id'`.execute(db);
    expect(rows[0]!.n).toBe('0');
    await migrateToLatest(db);
    expect((await numericIds()).map((r) => r.numeric_id)).toEqual(['1', '2', '3']);
  });
});
