/** The document store the configuration names; see document-store.ts. */
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import type { DocumentStore } from './document-store.js';
import { FilesystemDocumentStore } from './filesystem.js';
import { PostgresDocumentStore } from './postgres.js';

export * from './document-store.js';
export { FilesystemDocumentStore } from './filesystem.js';
export * from './keys.js';
export { PostgresDocumentStore } from './postgres.js';

export async function openDocumentStore(
  db: Db,
  config: Pick<Config, 'DOCUMENT_STORE' | 'DOCUMENT_STORE_DIR'>,
): Promise<DocumentStore> {
  return config.DOCUMENT_STORE === 'filesystem'
    ? FilesystemDocumentStore.open(config.DOCUMENT_STORE_DIR)
    : new PostgresDocumentStore(db);
}
