/**
 * Wiring shared by the entry points: the Temporal client, the database with its migrations, and
 * the development seed (a sender organisation with a known API key).
 */
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db, migrateToLatest } from './db/index.js';
import { createApiKey, hashApiKey } from './services/api-keys.js';
import { upsertOrganisation } from './services/organisations.js';

export async function connectTemporal(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export async function openDatabase(url: string, poolSize?: number): Promise<Db> {
  const db = createDb(url, poolSize);
  await migrateToLatest(db);
  return db;
}

/** Seeds the development sender (idempotent): the organisation and its API key. */
export async function seedDevSender(db: Db, org: string, apiKey: string): Promise<void> {
  await upsertOrganisation(db, { orgNumber: org, name: 'Development Sender AS', sector: 'PUBLIC' });
  const existing = await db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', hashApiKey(apiKey))
    .executeTakeFirst();
  if (!existing) await createApiKey(db, org, 'development key', apiKey);
}
