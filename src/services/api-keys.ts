/**
 * API keys of sender organisations. A key is shown once when created; only its SHA-256 is
 * stored, so a database leak gives no usable keys. Keys are long random strings, so a plain
 * hash (not a slow password hash) is enough and keeps every request cheap.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { type Sender, senderOfRow } from './organisations.js';

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

/**
 * The sender a presented key belongs to, read in the same query as the key, so its rate limit,
 * sector and standing orders cost a request no further read; null for an unknown or revoked key.
 */
export async function senderOfApiKey(db: Db, key: string): Promise<Sender | null> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('organisations', 'organisations.org_number', 'api_keys.org_number')
    .selectAll('organisations')
    .where('api_keys.key_hash', '=', hashApiKey(key))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? senderOfRow(row) : null;
}

export interface ApiKeyInfo {
  id: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** The keys of an organisation, newest first: what they are called and whether they work; never the key. */
export async function listApiKeys(db: Db, org: string): Promise<ApiKeyInfo[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'label', 'created_at', 'revoked_at'])
    .where('org_number', '=', org)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
}
