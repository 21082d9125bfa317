import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { OrganisationsTable } from '../db/types.js';
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
 * A registered organisation as a sender: with whether it ordered long-term storage for all its
 * jobs and its own API rate limit (requests per second; null: the configured default, 0: none).
 */
export interface Sender extends Organisation {
  longTermStorage: boolean;
  rateLimitPerSecond: number | null;
}

/** The sender of an `organisations` row (here and where credentials are read with it). */
export function senderOfRow(row: Selectable<OrganisationsTable>): Sender {
  return {
    orgNumber: row.org_number,
    name: row.name,
    sector: row.sector,
    longTermStorage: row.long_term_storage ?? false,
    rateLimitPerSecond: row.rate_limit_per_second ?? null,
  };
}

export async function findOrganisation(db: Db, orgNumber: string): Promise<Sender | null> {
  const row = await db
    .selectFrom('organisations')
    .selectAll()
    .where('org_number', '=', orgNumber)
    .executeTakeFirst();
  return row ? senderOfRow(row) : null;
}
