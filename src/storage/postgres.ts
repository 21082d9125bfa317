/**
 * The default store: bytes in the `blobs` table of the application database, so a one-database
 * deployment keeps everything (rows and bytes) in its backups together.
 */
import type { Db } from '../db/index.js';
import {
  assertValidKey,
  type BlobRow,
  type DocumentStore,
  normaliseSha256,
  type StoredBlob,
  sha256Hex,
  verified,
} from './document-store.js';

/** `folder/` as a LIKE pattern: `_` (allowed in keys) is a LIKE wildcard and must be escaped. */
const likePrefix = (folder: string) => `${folder.replace(/[\\%_]/g, '\\$&')}/%`;

export class PostgresDocumentStore implements DocumentStore {
  readonly kind = 'postgres';

  constructor(private readonly db: Db) {}

  rowFor(key: string, bytes: Uint8Array): BlobRow {
    assertValidKey(key);
    const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { key, sha256: sha256Hex(content), size: content.byteLength, content };
  }

  async put(key: string, bytes: Uint8Array): Promise<StoredBlob> {
    const { content, ...blob } = this.rowFor(key, bytes);
    await this.db
      .insertInto('blobs')
      .values({ ...blob, content })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          content: eb.ref('excluded.content'),
          sha256: eb.ref('excluded.sha256'),
          size: eb.ref('excluded.size'),
        })),
      )
      .execute();
    return blob;
  }

  async get(key: string, sha256: string): Promise<Buffer | null> {
    assertValidKey(key);
    const expected = normaliseSha256(sha256);
    const row = await this.db.selectFrom('blobs').select('content').where('key', '=', key).executeTakeFirst();
    return row ? verified(key, row.content, expected) : null;
  }

  async exists(key: string): Promise<boolean> {
    assertValidKey(key);
    const row = await this.db.selectFrom('blobs').select('key').where('key', '=', key).executeTakeFirst();
    return row !== undefined;
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.db.deleteFrom('blobs').where('key', '=', key).execute();
  }

  async deleteFolder(folder: string): Promise<void> {
    assertValidKey(folder);
    // The key column is in the "C" collation (migration 0008), so this prefix match uses its index.
    await this.db.deleteFrom('blobs').where('key', 'like', likePrefix(folder)).execute();
  }
}
