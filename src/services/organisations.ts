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

export async function findOrganisation(db: Db, orgNumber: string): Promise<Organisation | null> {
  const row = await db
    .selectFrom('organisations')
    .selectAll()
    .where('org_number', '=', orgNumber)
    .executeTakeFirst();
  return row ? { orgNumber: row.org_number, name: row.name, sector: row.sector } : null;
}
