/**
 * Secrets every API process shares, kept in PostgreSQL and made on first use (the first insert
 * wins, so simultaneous processes agree). Read once per process.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';

const cache = new WeakMap<Db, Map<string, Promise<Buffer>>>();

export function serviceSecret(db: Db, name: string): Promise<Buffer> {
  if (!cache.has(db)) cache.set(db, new Map());
  const secrets = cache.get(db)!;
  let pending = secrets.get(name);
  if (!pending) {
    pending = (async () => {
      await db
        .insertInto('service_secrets')
        .values({ name, secret: randomBytes(32) })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('service_secrets')
        .select('secret')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return row.secret;
    })();
    pending.catch(() => secrets.delete(name));
    secrets.set(name, pending);
  }
  return pending;
}
