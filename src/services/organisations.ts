import type { Db } from '../db/index.js';
import type { Sector } from '../job/model.js';

export interface Organisation {
  orgNumber: string;
  name: string;
  sector: Sector;
}

export async function upsertOrganisation(db: Db, org: Organisation): Promise<void> {
  await db
    .insertInto('organisations')
    .values({ org_number: org.orgNumber, name: org.name, sector: org.sector })
    .onConflict((oc) => oc.column('org_number').doUpdateSet({ name: org.name, sector: org.sector }))
    .execute();
}

/**
 * A registered organisation, with whether it ordered long-term storage for all its jobs and its
 * own API rate limit (requests per second; null: the configured default, 0: none).
 */
export async function findOrganisation(
  db: Db,
  orgNumber: string,
): Promise<(Organisation & { longTermStorage: boolean; rateLimitPerSecond: number | null }) | null> {
  const row = await db
    .selectFrom('organisations')
    .selectAll()
    .where('org_number', '=', orgNumber)
    .executeTakeFirst();
  return row
    ? {
        orgNumber: row.org_number,
        name: row.name,
        sector: row.sector,
        longTermStorage: row.long_term_storage ?? false,
        rateLimitPerSecond: row.rate_limit_per_second ?? null,
      }
    : null;
}
