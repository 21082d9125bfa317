/**
 * Operator commands of the admin CLI beside organisations and keys: portal roles, callback
 * secrets, sender notice e-mail, a job's recorded state and audit trail, and the quarterly
 * billing report.
 */
import { parseQuarter, previousQuarter, quarterlyReport, toCsv, toJson } from '../billing/index.js';
import { auditTrail } from '../db/audit.js';
import type { Db } from '../db/index.js';
import { readJob } from '../db/job-reads.js';
import {
  activeCallbackSecrets,
  createCallbackSecret,
  revokeCallbackSecret,
} from '../notifications/callbacks/secrets.js';
import { grantRole, listRoles, PORTAL_ROLES, type PortalRole, revokeRole } from '../portal/roles.js';
import { isValidPersonalIdentificationNumber } from '../rules/identity.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}
type Parse = (
  args: string[],
  options: Record<string, { type: 'string' }>,
) => { values: Record<string, string | undefined>; positionals: string[] };

export function operationCommands(
  parse: Parse,
  requireOrg: (v: string | undefined) => string,
  usage: (m: string) => Error,
) {
  const requirePid = (v: string | undefined) => {
    if (!v || !isValidPersonalIdentificationNumber(v))
      throw usage(`--pid must be a valid identity number: ${v ?? '(none)'}`);
    return v;
  };
  const requireRole = (v: string | undefined): PortalRole => {
    const role = v?.toUpperCase();
    if (!PORTAL_ROLES.includes(role as PortalRole))
      throw usage(`--role must be one of ${PORTAL_ROLES.join(', ')}`);
    return role as PortalRole;
  };

  return {
    async 'roles grant'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, {
        pid: { type: 'string' },
        org: { type: 'string' },
        role: { type: 'string' },
      });
      const grant = {
        pid: requirePid(values.pid),
        org: requireOrg(values.org),
        role: requireRole(values.role),
      };
      await grantRole(db, grant);
      io.out(`role ${grant.role} in ${grant.org} granted`);
      return 0;
    },
    async 'roles revoke'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, {
        pid: { type: 'string' },
        org: { type: 'string' },
        role: { type: 'string' },
      });
      await revokeRole(db, {
        pid: requirePid(values.pid),
        org: requireOrg(values.org),
        role: requireRole(values.role),
      });
      io.out('role revoked');
      return 0;
    },
    async 'roles list'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, { org: { type: 'string' } });
      const roles = await listRoles(db, { org: requireOrg(values.org) });
      if (roles.length === 0) io.out('no roles');
      for (const r of roles) io.out(`${r.pid}  ${r.role}`);
      return 0;
    },
    async 'callback-secrets create'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, { org: { type: 'string' } });
      const secret = await createCallbackSecret(db, requireOrg(values.org));
      io.out(`id:     ${secret.id}`);
      io.out(`secret: ${secret.secret}`);
      io.out('Give the secret to the sender now; the two newest stay active (rotation).');
      return 0;
    },
    async 'callback-secrets list'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, { org: { type: 'string' } });
      const secrets = await activeCallbackSecrets(db, requireOrg(values.org));
      if (secrets.length === 0) io.out('no active secrets');
      for (const s of secrets) io.out(`${s.id}  ${s.createdAt.toISOString()}`);
      return 0;
    },
    async 'callback-secrets revoke'(db: Db, args: string[], io: Io) {
      const { values, positionals } = parse(args, { org: { type: 'string' } });
      const org = requireOrg(values.org);
      if (!positionals[0]) throw usage('the id of the secret to revoke is required');
      if (!(await revokeCallbackSecret(db, org, positionals[0]))) {
        io.err(`no active secret ${positionals[0]} of ${org}`);
        return 1;
      }
      io.out('secret revoked');
      return 0;
    },
    async 'orgs notices'(db: Db, args: string[], io: Io) {
      const { values, positionals } = parse(args, { email: { type: 'string' }, locale: { type: 'string' } });
      const org = requireOrg(positionals[0]);
      const locale = values.locale ?? 'no';
      if (!['no', 'en'].includes(locale)) throw usage('--locale must be no or en');
      if (
        values.email !== undefined &&
        values.email !== '' &&
        !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)
      ) {
        throw usage(`--email is not an e-mail address: ${values.email}`);
      }
      await db
        .updateTable('organisations')
        .set({ notice_email: values.email || null, notice_locale: locale })
        .where('org_number', '=', org)
        .execute();
      io.out(
        values.email
          ? `sender notices for ${org} go to ${values.email} (${locale})`
          : `no sender notices for ${org}`,
      );
      return 0;
    },
    async 'orgs long-term-storage'(db: Db, args: string[], io: Io) {
      const { positionals } = parse(args, {});
      const org = requireOrg(positionals[0]);
      const setting = positionals[1];
      if (setting !== 'on' && setting !== 'off') throw usage('say on or off after the organisation number');
      const updated = await db
        .updateTable('organisations')
        .set({ long_term_storage: setting === 'on' })
        .where('org_number', '=', org)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        io.err(`no organisation ${org}`);
        return 1;
      }
      io.out(
        setting === 'on'
          ? `every new job of ${org} is kept in long-term storage (up to 50 years, billed per year)`
          : `jobs of ${org} are kept in long-term storage only when they order it`,
      );
      return 0;
    },
    async 'jobs audit'(db: Db, args: string[], io: Io) {
      const { positionals } = parse(args, {});
      if (!positionals[0]) throw usage('the job id is required');
      const events = await auditTrail(db, positionals[0]);
      if (events.length === 0) io.out('no audit events (unknown job?)');
      for (const e of events)
        io.out(`${e.at.toISOString()}  ${e.actor.padEnd(12)}  ${e.event}  ${JSON.stringify(e.details)}`);
      return 0;
    },
    async 'jobs show'(db: Db, args: string[], io: Io) {
      const { positionals } = parse(args, {});
      if (!positionals[0]) throw usage('the job id is required');
      const rec = await readJob(db, positionals[0]);
      if (!rec) {
        io.err(`no job ${positionals[0]}`);
        return 1;
      }
      const { job } = rec;
      const at = (d: Date | null) => d?.toISOString() ?? '-';
      io.out(`${job.id}  ${job.org}  ${job.flow}  ${job.status} since ${at(job.since)}`);
      if (job.failureReason) io.out(`failure reason: ${job.failureReason}`);
      if (job.deadline) io.out(`deadline: ${at(job.deadline)}`);
      if (job.retentionUntil) io.out(`documents kept until: ${at(job.retentionUntil)}`);
      if (job.documentsDeleted) io.out('documents deleted');
      for (const s of rec.signers) io.out(`  ${s.id}  group ${s.order}  ${s.status} since ${at(s.since)}`);
      return 0;
    },
    async 'billing report'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, {
        quarter: { type: 'string' },
        org: { type: 'string' },
        format: { type: 'string' },
      });
      const quarter = values.quarter ?? previousQuarter(new Date()).label;
      try {
        parseQuarter(quarter);
      } catch {
        throw usage(`--quarter must look like 2026Q4: ${quarter}`);
      }
      const format = values.format ?? 'csv';
      if (format !== 'csv' && format !== 'json') throw usage('--format must be csv or json');
      const report = await quarterlyReport(db, {
        quarter,
        ...(values.org ? { org: requireOrg(values.org) } : {}),
      });
      io.out(format === 'csv' ? toCsv(report).trimEnd() : toJson(report));
      return 0;
    },
  };
}
