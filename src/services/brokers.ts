/**
 * Brokers: organisations a sender lets send jobs in its name over the XML API (the national
 * service's model: the path names the sender, the TLS certificate and the seal the broker).
 */
import type { Db } from '../db/index.js';

export async function authoriseBroker(db: Db, org: string, broker: string): Promise<void> {
  await db
    .insertInto('broker_authorisations')
    .values({ org_number: org, broker_org_number: broker })
    .onConflict((oc) => oc.columns(['org_number', 'broker_org_number']).doNothing())
    .execute();
}

/** True when there was an authorisation to revoke. */
export async function revokeBroker(db: Db, org: string, broker: string): Promise<boolean> {
  const result = await db
    .deleteFrom('broker_authorisations')
    .where('org_number', '=', org)
    .where('broker_org_number', '=', broker)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listBrokers(db: Db, org: string): Promise<string[]> {
  const rows = await db
    .selectFrom('broker_authorisations')
    .select('broker_org_number')
    .where('org_number', '=', org)
    .orderBy('broker_org_number')
    .execute();
  return rows.map((r) => r.broker_org_number);
}

export async function isBrokerAuthorised(db: Db, org: string, broker: string): Promise<boolean> {
  const row = await db
    .selectFrom('broker_authorisations')
    .select('broker_org_number')
    .where('org_number', '=', org)
    .where('broker_org_number', '=', broker)
    .executeTakeFirst();
  return row !== undefined;
}
