/**
 * The document store's contract, run against both implementations with the same cases: what one
 * store does the other must do, so `DOCUMENT_STORE` changes where bytes live and nothing else.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  DocumentCorruptError,
  type DocumentStore,
  FilesystemDocumentStore,
  InvalidDocumentKeyError,
  openDocumentStore,
  PostgresDocumentStore,
} from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytesOf = (text: string) => Buffer.from(text, 'utf8');

interface Subject {
  store: DocumentStore;
  /** Changes the stored bytes behind the store's back (disk rot, a hand edit). */
  corrupt(key: string, bytes: Buffer): Promise<void>;
}

let t: TestDatabase;
let dir: string;
const subjects: Record<'postgres' | 'filesystem', Subject> = {} as never;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'esign-store-'));
  const fs = await FilesystemDocumentStore.open(join(dir, 'store'));
  subjects.postgres = {
    store: new PostgresDocumentStore(t.db),
    corrupt: async (key, bytes) => {
      await t.db.updateTable('blobs').set({ content: bytes }).where('key', '=', key).execute();
    },
  };
  subjects.filesystem = {
    store: fs,
    corrupt: (key, bytes) => writeFile(fs.pathOf(key), bytes),
  };
});
afterAll(async () => {
  await t?.db.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fresh job folder per test, so cases never see each other's keys. */
const folder = () => `documents/job-${randomBytes(6).toString('hex')}`;

describe.each(['postgres', 'filesystem'] as const)('%s document store', (name) => {
  const s = () => subjects[name];

  it('gives back exactly the bytes it was given, with their digest and size', async () => {
    const key = `${folder()}/doc-1`;
    const bytes = randomBytes(200_000);
    const stored = await s().store.put(key, bytes);
    expect(stored).toEqual({ key, sha256: sha(bytes), size: bytes.byteLength });
    expect(await s().store.exists(key)).toBe(true);
    const back = await s().store.get(key, stored.sha256);
    expect(back).not.toBeNull();
    expect(Buffer.compare(back!, bytes)).toBe(0);
    // An empty file is a file too.
    const empty = await s().store.put(`${folder()}/empty`, new Uint8Array(0));
    expect((await s().store.get(empty.key, empty.sha256))?.byteLength).toBe(0);
  });

  it('overwrites: the same bytes again (a retried activity) and other bytes', async () => {
    const key = `${folder()}/doc`;
    const first = bytesOf('first version');
    await s().store.put(key, first);
    await s().store.put(key, first);
    expect((await s().store.get(key, sha(first)))?.toString()).toBe('first version');
    const second = bytesOf('second version');
    await s().store.put(key, second);
    expect((await s().store.get(key, sha(second)))?.toString()).toBe('second version');
    // The digest recorded for the first bytes no longer matches what is stored.
    await expect(s().store.get(key, sha(first))).rejects.toBeInstanceOf(DocumentCorruptError);
  });

  it('deletes one key, and deleting what is not there is no error', async () => {
    const f = folder();
    const keep = bytesOf('keep');
    await s().store.put(`${f}/a`, bytesOf('a'));
    await s().store.put(`${f}/b`, keep);
    await s().store.delete(`${f}/a`);
    expect(await s().store.get(`${f}/a`, sha(bytesOf('a')))).toBeNull();
    expect(await s().store.exists(`${f}/a`)).toBe(false);
    await s().store.delete(`${f}/a`);
    expect((await s().store.get(`${f}/b`, sha(keep)))?.toString()).toBe('keep');
  });

  it('deletes a folder whole, and only that folder', async () => {
    const base = `artifacts/job_${randomBytes(4).toString('hex')}`;
    // Same prefix without the slash, and '_' (a LIKE wildcard) matching another character.
    const neighbours = [`${base}0/x`, `${base.replace('_', 'x')}/x`];
    await s().store.put(`${base}/pades-1`, bytesOf('1'));
    await s().store.put(`${base}/xades-s1-2`, bytesOf('2'));
    for (const k of neighbours) await s().store.put(k, bytesOf('neighbour'));
    await s().store.deleteFolder(base);
    expect(await s().store.exists(`${base}/pades-1`)).toBe(false);
    expect(await s().store.exists(`${base}/xades-s1-2`)).toBe(false);
    for (const k of neighbours) expect(await s().store.exists(k)).toBe(true);
    await s().store.deleteFolder(base);
  });

  it('answers null for a key never stored', async () => {
    const key = `${folder()}/never`;
    expect(await s().store.get(key, sha(bytesOf('x')))).toBeNull();
    expect(await s().store.exists(key)).toBe(false);
  });

  it.each([
    '../escape',
    'documents/../../escape',
    '/etc/passwd',
    'documents//x',
    'documents/./x',
    '.hidden',
    'documents/.tmp-0123',
    'documents/x/',
    'documents\\..\\x',
    'documents/%',
    'documents/a b',
    'documents/a\0b',
    'documents/æ',
    '',
    `documents/${'x'.repeat(600)}`,
  ])('refuses the key %j for every operation', async (key) => {
    const store = s().store;
    const digest = sha(bytesOf('x'));
    await expect(store.put(key, bytesOf('x'))).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(store.get(key, digest)).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(store.deleteFolder(key)).rejects.toBeInstanceOf(InvalidDocumentKeyError);
  });

  it('reports bytes that changed after they were stored instead of serving them', async () => {
    const key = `${folder()}/contract`;
    const original = bytesOf('%PDF-1.7 the signed text');
    const { sha256 } = await s().store.put(key, original);
    await s().corrupt(key, bytesOf('%PDF-1.7 the forged text'));
    const err = await s()
      .store.get(key, sha256)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentCorruptError);
    expect((err as DocumentCorruptError).key).toBe(key);
    expect((err as DocumentCorruptError).expectedSha256).toBe(sha256);
    // Truncation (a half-copied file) is caught the same way.
    await s().corrupt(key, original.subarray(0, 5));
    await expect(s().store.get(key, sha256)).rejects.toBeInstanceOf(DocumentCorruptError);
  });
});

describe('filesystem document store on disk', () => {
  const fs = () => subjects.filesystem.store as FilesystemDocumentStore;

  it('keeps each key as a plain file readable only by the service, with no temporary file left', async () => {
    const key = `${folder()}/doc`;
    const bytes = bytesOf('plain bytes');
    await fs().put(key, bytes);
    const path = fs().pathOf(key);
    expect(path.startsWith(`${fs().root}/`)).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('plain bytes');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    expect(await readdir(dirname(path))).toEqual(['doc']);
  });

  it('never shows a partial file: concurrent writes of one key leave one whole version', async () => {
    const key = `${folder()}/raced`;
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(1_000_000 + i * 1000, i + 1));
    await Promise.all(versions.map((v) => fs().put(key, v)));
    const onDisk = await readFile(fs().pathOf(key));
    expect(versions.some((v) => Buffer.compare(v, onDisk) === 0)).toBe(true);
    expect((await readdir(dirname(fs().pathOf(key)))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('ignores a temporary file a crash left behind, and deleting the folder removes it', async () => {
    const f = folder();
    const bytes = bytesOf('complete');
    await fs().put(`${f}/doc`, bytes);
    const leftover = join(dirname(fs().pathOf(`${f}/doc`)), '.tmp-0123456789abcdef');
    await writeFile(leftover, 'half a fi');
    expect((await fs().get(`${f}/doc`, sha(bytes)))?.toString()).toBe('complete');
    await fs().deleteFolder(f);
    await expect(stat(dirname(leftover))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes nothing outside its directory when asked for a traversing key', async () => {
    await expect(fs().put('../escaped', bytesOf('x'))).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    expect(await readdir(dir)).toEqual(['store']);
  });
});

describe('postgres document store table', () => {
  it('records each blob with its digest and size', async () => {
    const key = `${folder()}/doc`;
    const bytes = bytesOf('in the table');
    await subjects.postgres.store.put(key, bytes);
    const row = await t.db
      .selectFrom('blobs')
      .select(['sha256', 'size', sql<string>`encode(sha256(content), 'hex')`.as('actual')])
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sha256: sha(bytes), size: bytes.byteLength, actual: sha(bytes) });
  });
});

describe('DOCUMENT_STORE configuration', () => {
  const base = { DATABASE_URL: 'postgres://localhost/esign', DATA_DIR: '/srv/esign' };

  it('is PostgreSQL by default, and a directory under DATA_DIR when filesystem', async () => {
    const byDefault = loadConfig(base);
    expect(byDefault.DOCUMENT_STORE).toBe('postgres');
    expect((await openDocumentStore(t.db, byDefault)).kind).toBe('postgres');
    expect(loadConfig({ ...base, DOCUMENT_STORE: 'filesystem' }).DOCUMENT_STORE_DIR).toBe(
      '/srv/esign/documents',
    );

    const chosen = join(dir, 'configured', 'documents');
    const config = loadConfig({ ...base, DOCUMENT_STORE: 'filesystem', DOCUMENT_STORE_DIR: chosen });
    const store = await openDocumentStore(t.db, config);
    expect(store).toBeInstanceOf(FilesystemDocumentStore);
    expect((store as FilesystemDocumentStore).root).toBe(chosen);
    expect((await stat(chosen)).isDirectory()).toBe(true);
  });

  it('names the variable when the value is wrong', () => {
    expect(() => loadConfig({ ...base, DOCUMENT_STORE: 's3' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, DOCUMENT_STORE: 's3' })).toThrow(/DOCUMENT_STORE: .*"s3"/);
    // A directory while the bytes go to PostgreSQL: the operator expects files that never come.
    expect(() => loadConfig({ ...base, DOCUMENT_STORE_DIR: '/srv/docs' })).toThrow(
      /DOCUMENT_STORE_DIR: is only used with DOCUMENT_STORE=filesystem/,
    );
  });

  it('refuses at start-up a directory it cannot create', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    await expect(
      openDocumentStore(t.db, { DOCUMENT_STORE: 'filesystem', DOCUMENT_STORE_DIR: join(file, 'x') }),
    ).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });
});
