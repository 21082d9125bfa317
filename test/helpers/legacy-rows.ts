/** Rows as older code wrote them, for the tests of a migration that fills new columns in. */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { createDb, type Db, migrateTo } from '../../src/db/index.js';
import { ensureDatabase } from '../../src/dev/embedded-postgres.js';

/** A database of its own, brought up to `migration`, with the sender organisation 987654325. */
export async function databaseAt(migration: string): Promise<Db> {
  const adminUrl = inject('pgAdminUrl');
  const name = `m_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const db = createDb(adminUrl.replace(/\/postgres$/, `/${name}`), 2);
  await migrateTo(db, migration);
  await sql`insert into organisations (org_number, name, sector) values ('987654325', 'Sender', 'PUBLIC')`.execute(
    db,
  );
  return db;
}

/** A workflow event in the audit trail, as the recording activity writes it. */
export async function workflowEvent(
  db: Db,
  jobId: string,
  seq: number,
  at: string,
  details: Record<string, unknown>,
) {
  await sql`insert into audit_events (job_id, idempotency_key, at, actor, event, details)
    values (${jobId}, ${`workflow:${seq}`}, ${at}, 'system', ${details.type as string}, ${JSON.stringify({ ...details, at })})`.execute(
    db,
  );
}
