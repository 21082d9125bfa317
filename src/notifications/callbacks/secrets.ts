/**
 * Per-organisation callback secrets. At most two are active: creating a new one keeps the
 * previous one (callbacks are signed with both while the sender switches over) and revokes any
 * older. The sender revokes the previous one when done, ending the rotation.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

export const MAX_ACTIVE_CALLBACK_SECRETS = 2;

export interface CallbackSecret {
  id: string;
  secret: string;
  createdAt: Date;
}

/** Adds a new secret for the organisation (its first, or a rotation) and returns it. */
export async function createCallbackSecret(db: Db, org: string): Promise<CallbackSecret> {
  return db.transaction().execute(async (tx) => {
    // Serialises concurrent rotations of one organisation, so no more than two stay active.
    await tx
      .selectFrom('organisations')
      .select('org_number')
      .where('org_number', '=', org)
      .forUpdate()
      .execute();
    const created = await tx
      .insertInto('callback_secrets')
      .values({ org_number: org, secret: `whsec_${randomBytes(32).toString('base64url')}` })
      .returning(['id', 'secret', 'created_at'])
      .executeTakeFirstOrThrow();
    const keep = await tx
      .selectFrom('callback_secrets')
      .select('id')
      .where('org_number', '=', org)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(MAX_ACTIVE_CALLBACK_SECRETS)
      .execute();
    await tx
      .updateTable('callback_secrets')
      .set({ revoked_at: sql<Date>`now()` })
      .where('org_number', '=', org)
      .where('revoked_at', 'is', null)
      .where(
        'id',
        'not in',
        keep.map((k) => k.id),
      )
      .execute();
    return { id: created.id, secret: created.secret, createdAt: created.created_at };
  });
}

/** The organisation's active secrets, newest first (the one to tell new receivers about). */
export async function activeCallbackSecrets(db: Db, org: string): Promise<CallbackSecret[]> {
  const rows = await db
    .selectFrom('callback_secrets')
    .select(['id', 'secret', 'created_at'])
    .where('org_number', '=', org)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, secret: r.secret, createdAt: r.created_at }));
}

/** Revokes one secret of the organisation; false when it was not active. */
export async function revokeCallbackSecret(db: Db, org: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('callback_secrets')
    .set({ revoked_at: sql<Date>`now()` })
    .where('org_number', '=', org)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
