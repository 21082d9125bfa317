/**
 * Usage metering end to end: a job signed through the API bills its signature with the add-ons
 * once (however often the workflow's recording is retried), notices are metered, and the CLI's
 * quarterly report adds up exactly in øre.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarterContaining } from '../../src/billing/index.js';
import { runCli } from '../../src/cli/commands.js';
import { createJob, devAct, emailPortalJob, eventually, follow } from '../helpers/api/http.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, stack.t.db, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('usage and billing', () => {
  it('a signed portal job bills 1.72 NOK for its authenticated signature, once, and the report adds up', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
    expect((await devAct(stack, job.id, job.signers[0]!.id, 'sign')).status).toBe(200);
    await eventually(
      async () => ((await (await follow(stack, job.links.self)).json()) as { status: string }).status,
      (s) => s === 'COMPLETED_SUCCESSFULLY',
    );
    const events = await stack.t.db
      .selectFrom('usage_events')
      .select(['kind', 'amount_ore'])
      .where('job_id', '=', job.id)
      .execute();
    const signing = events.filter((e) => e.kind !== 'EMAIL_NOTICE' && e.kind !== 'SMS_NOTICE');
    expect(signing.map((e) => e.kind).sort()).toEqual(
      ['AUTHENTICATED_SIGNATURE', 'IDPORTEN_AUTHENTICATION', 'PORTAL_LOGIN', 'SIGNING'].sort(),
    );
    expect(signing.reduce((sum, e) => sum + Number(e.amount_ore), 0)).toBe(172);
    expect(events.some((e) => e.kind === 'EMAIL_NOTICE')).toBe(true);

    const quarter = quarterContaining(new Date()).label;
    const report = await cli('billing', 'report', '--quarter', quarter, '--org', ORG, '--format', 'json');
    expect(report.code).toBe(0);
    const doc = JSON.parse(report.out) as {
      organisations: { orgNumber: string; lines: { amountOre: number }[]; totalOre: number }[];
    };
    const org = doc.organisations.find((o) => o.orgNumber === ORG)!;
    expect(org.lines.reduce((s, l) => s + l.amountOre, 0)).toBe(org.totalOre);
    expect(org.totalOre).toBeGreaterThanOrEqual(172);
    const csv = await cli('billing', 'report', '--quarter', quarter);
    expect(csv.out.split('\n')[0]).toMatch(/^row_type,quarter,org_number/);
    expect(csv.out).toContain('GRAND_TOTAL');
  });

  it('the CLI grants portal roles and shows a job audit trail; bad arguments are usage errors', async () => {
    expect((await cli('roles', 'grant', '--pid', '01819010001', '--org', ORG, '--role', 'SENDER')).code).toBe(
      0,
    );
    expect((await cli('roles', 'list', '--org', ORG)).out).toContain('01819010001  SENDER');
    expect((await cli('roles', 'grant', '--pid', '123', '--org', ORG, '--role', 'SENDER')).code).toBe(2);
    expect((await cli('billing', 'report', '--quarter', '2026Q5')).code).toBe(2);
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
    const audit = await cli('jobs', 'audit', job.id);
    expect(audit.out).toContain('JOB_CREATED');
  });
});
