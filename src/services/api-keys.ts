/**
 * API keys of sender organisations. A key is shown once when created; only its SHA-256 is
 * stored, so a database leak gives no usable keys. Keys are long random strings, so a plain
 * hash (not a slow password hash) is enough and keeps every request cheap.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

/** Stores a key for `org` (an explicit key for development seeding, else a new random one). */
export async function createApiKey(db: Db, org: string, label: string, key = generateApiKey()) {
  const id = randomUUID();
  await db
    .insertInto('api_keys')
    .values({ id, org_number: org, key_hash: hashApiKey(key), label })
    .onConflict((oc) => oc.column('key_hash').doNothing())
    .execute();
  return { id, key };
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The organisation a presented key belongs to, or null for an unknown or revoked key. */
export async function organisationOfApiKey(db: Db, key: string): Promise<string | null> {
  const row = await db
    .selectFrom('api_keys')
    .select('org_number')
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.org_number ?? null;
}
