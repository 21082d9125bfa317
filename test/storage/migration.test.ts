/**
 * Migration 0008_document_store on a database that holds documents and results in the old bytea
 * columns: every byte moves into the PostgreSQL store under the key the code derives from the row,
 * nothing is lost, and going down puts the bytes back.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db, migrateTo, migrateToLatest } from '../../src/db/index.js';
import { ensureDatabase } from '../../src/dev/embedded-postgres.js';
import { artifactKey, documentKey, PostgresDocumentStore } from '../../src/storage/index.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let db: Db;
const jobId = randomUUID();
const signerId = randomUUID();
const docs = [
  { id: randomUUID(), position: 0, bytes: randomBytes(300_000) },
  { id: randomUUID(), position: 1, bytes: Buffer.from('plain text document, æøå', 'utf8') },
];
const deletedDoc = { id: randomUUID(), position: 2 };
const pades = Buffer.from(`%PDF-1.7 sealed ${randomUUID()}`);
const xades = Buffer.from(`<XAdES>${randomUUID()}</XAdES>`);

/** Column names of a table, to see the old bytea columns go and come back. */
async function columns(d: Db, table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns where table_name = ${table}`.execute(d);
  return rows.map((r) => r.column_name);
}

beforeAll(async () => {
  // An empty database (not the migrated template): it starts at the schema before 0008.
  const adminUrl = inject('pgAdminUrl');
  const name = `m_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  db = createDb(adminUrl.replace(/\/postgres$/, `/${name}`), 2);
  await migrateTo(db, '0007_sender_notices');

  await sql`insert into organisations (org_number, name, sector) values ('987654325', 'Sender', 'PUBLIC')`.execute(
    db,
  );
  await sql`insert into signature_jobs (id, org_number, flow, status, title, request, request_hash)
    values (${jobId}, '987654325', 'portal', 'COMPLETED_SUCCESSFULLY', 'Job', '{}', 'h')`.execute(db);
  for (const d of docs) {
    await sql`insert into documents (id, job_id, position, title, file_name, mime_type, size_bytes, sha256, content)
      values (${d.id}, ${jobId}, ${d.position}, 'Doc', ${`doc${d.position}.pdf`}, 'application/pdf',
              ${d.bytes.byteLength}, ${sha(d.bytes)}, ${d.bytes})`.execute(db);
  }
  // Deleted before the migration: a row without bytes, which stays without them.
  await sql`insert into documents (id, job_id, position, title, file_name, mime_type, size_bytes, sha256, content, deleted_at)
    values (${deletedDoc.id}, ${jobId}, 2, 'Gone', 'gone.pdf', 'application/pdf', 1, ${sha(Buffer.from('x'))}, null, now())`.execute(
    db,
  );
  await sql`insert into artifacts (job_id, signer_id, kind, content, sha256)
    values (${jobId}, '', 'PADES', ${pades}, ${sha(pades)}),
           (${jobId}, ${signerId}, 'XADES', ${xades}, ${sha(xades)})`.execute(db);
});
afterAll(async () => {
  await db?.destroy();
});

describe('migration 0008_document_store', () => {
  it('moves every stored byte into the PostgreSQL store, readable under the derived keys', async () => {
    await migrateToLatest(db);
    expect(await columns(db, 'documents')).not.toContain('content');
    expect(await columns(db, 'artifacts')).not.toContain('content');

    const store = new PostgresDocumentStore(db);
    for (const d of docs) {
      const back = await store.get(documentKey(jobId, d.id), sha(d.bytes));
      expect(back && Buffer.compare(back, d.bytes)).toBe(0);
    }
    expect(await store.exists(documentKey(jobId, deletedDoc.id))).toBe(false);
    const padesBack = await store.get(
      artifactKey({ jobId, kind: 'PADES', signerId: '', sha256: sha(pades) }),
      sha(pades),
    );
    expect(padesBack?.toString()).toBe(pades.toString());
    const xadesBack = await store.get(
      artifactKey({ jobId, kind: 'XADES', signerId, sha256: sha(xades) }),
      sha(xades),
    );
    expect(xadesBack?.toString()).toBe(xades.toString());

    const blobs = await db.selectFrom('blobs').select(['key', 'sha256', 'size']).orderBy('key').execute();
    expect(blobs).toHaveLength(4);
    for (const b of blobs) expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(blobs.reduce((n, b) => n + b.size, 0)).toBe(
      docs.reduce((n, d) => n + d.bytes.byteLength, 0) + pades.byteLength + xades.byteLength,
    );
  });

  it('going down puts the bytes back into the columns', async () => {
    await migrateTo(db, '0007_sender_notices');
    expect(await columns(db, 'blobs')).toEqual([]);
    const { rows } = await sql<{ id: string; content: Buffer | null }>`
      select id, content from documents where job_id = ${jobId} order by position`.execute(db);
    expect(rows.map((r) => r.content && sha(r.content))).toEqual([...docs.map((d) => sha(d.bytes)), null]);
    const { rows: artifacts } = await sql<{ kind: string; content: Buffer }>`
      select kind, content from artifacts where job_id = ${jobId} order by kind`.execute(db);
    expect(artifacts.map((a) => [a.kind, a.content.toString()])).toEqual([
      ['PADES', pades.toString()],
      ['XADES', xades.toString()],
    ]);
  });
});
