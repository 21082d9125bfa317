/**
 * Who may use the sender portal for an organisation: a person (by identity number) with a role
 * granted by the admin CLI. SENDER creates and manages jobs; VIEWER follows them and downloads.
 */
import type { Db } from '../db/index.js';

export const PORTAL_ROLES = ['SENDER', 'VIEWER'] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

export interface RoleGrant {
  pid: string;
  org: string;
  role: PortalRole;
  createdAt: Date;
}

export async function grantRole(
  db: Db,
  grant: { pid: string; org: string; role: PortalRole },
): Promise<void> {
  await db
    .insertInto('portal_roles')
    .values({ pid: grant.pid, org_number: grant.org, role: grant.role })
    .onConflict((oc) => oc.columns(['pid', 'org_number', 'role']).doNothing())
    .execute();
}

/** True when the role existed and was removed. */
export async function revokeRole(
  db: Db,
  grant: { pid: string; org: string; role: PortalRole },
): Promise<boolean> {
  const result = await db
    .deleteFrom('portal_roles')
    .where('pid', '=', grant.pid)
    .where('org_number', '=', grant.org)
    .where('role', '=', grant.role)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Roles, filtered by organisation and/or person. */
export async function listRoles(db: Db, filter: { org?: string; pid?: string } = {}): Promise<RoleGrant[]> {
  let query = db.selectFrom('portal_roles').selectAll().orderBy('org_number').orderBy('pid').orderBy('role');
  if (filter.org) query = query.where('org_number', '=', filter.org);
  if (filter.pid) query = query.where('pid', '=', filter.pid);
  const rows = await query.execute();
  return rows.map((r) => ({ pid: r.pid, org: r.org_number, role: r.role, createdAt: r.created_at }));
}

/** The organisations a person may use the sender portal for, with their roles there. */
export async function organisationsOf(db: Db, pid: string) {
  return db
    .selectFrom('portal_roles')
    .innerJoin('organisations', 'organisations.org_number', 'portal_roles.org_number')
    .select([
      'organisations.org_number as org',
      'organisations.name',
      'organisations.sector',
      'portal_roles.role',
    ])
    .where('portal_roles.pid', '=', pid)
    .orderBy('organisations.name')
    .execute();
}
