import { type Kysely, sql } from 'kysely';

/**
 * Document bytes move behind the document store (src/storage): out of `documents.content` and
 * `artifacts.content` into `blobs`, the PostgreSQL store's table, under the keys src/storage/keys.ts
 * derives from the rows. The rows keep their `sha256`, which every read is checked against.
 *
 * Kysely runs the migration in one transaction: the bytes are copied, counted, and only then are
 * the old columns dropped, so a failure anywhere leaves the database as it was.
 */

/** src/storage/keys.ts `documentKey`, in SQL. */
const documentKey = sql`'documents/' || d.job_id || '/' || d.id`;
/** src/storage/keys.ts `artifactKey`, in SQL. */
const artifactKey = sql`'artifacts/' || a.job_id || '/' || lower(a.kind)
  || case when a.signer_id = '' then '' else '-' || a.signer_id end || '-' || a.sha256`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // "C" collation: keys are compared bytewise, so `key like 'artifacts/<job>/%'` (deleting a job's
  // files) is a range scan of the primary key instead of a scan of the whole table.
  await sql`
    create table blobs (
      key text collate "C" primary key,
      content bytea not null,
      sha256 text not null,
      size integer not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    insert into blobs (key, content, sha256, size)
    select ${documentKey}, d.content, encode(sha256(d.content), 'hex'), octet_length(d.content)
    from documents d where d.content is not null`.execute(db);
  await sql`
    insert into blobs (key, content, sha256, size, created_at)
    select ${artifactKey}, a.content, encode(sha256(a.content), 'hex'), octet_length(a.content), a.created_at
    from artifacts a where a.content is not null`.execute(db);

  const { rows } = await sql<{ held: string; moved: string }>`
    select (select count(*) from documents where content is not null)
         + (select count(*) from artifacts where content is not null) as held,
           (select count(*) from blobs) as moved`.execute(db);
  const counts = rows[0]!;
  if (counts.held !== counts.moved) {
    throw new Error(`moved ${counts.moved} of ${counts.held} stored files; nothing changed`);
  }

  await sql`alter table documents drop column content`.execute(db);
  await sql`alter table artifacts drop column content`.execute(db);
}

/**
 * Back to the columns, from `blobs`. Bytes kept in a filesystem store are not in `blobs`: copy
 * them back into PostgreSQL's store before going down, or those rows come back without content.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table documents add column content bytea`.execute(db);
  await sql`alter table artifacts add column content bytea`.execute(db);
  await sql`update documents d set content = b.content from blobs b where b.key = ${documentKey}`.execute(db);
  await sql`update artifacts a set content = b.content from blobs b where b.key = ${artifactKey}`.execute(db);
  await sql`drop table blobs`.execute(db);
}
