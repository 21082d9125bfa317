/**
 * The sender portal in Debian's Chromium against the real stack: a staff member with a role
 * creates a job by uploading a document and entering two signers in two groups, the signers sign
 * in the signing portal, and the staff member follows the status and downloads the results; a job
 * is extended and cancelled; a person without a role is refused.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { grantRole } from '../../src/portal/roles.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';
import { launchChromium, providerLogin, screenshot } from './support/browser.js';
import { createJob, waitForJob } from './support/jobs.js';

const [kari, ola, ingrid, per] = [0, 1, 2, 3].map((i) => testPopulation[i]!) as [
  (typeof testPopulation)[number],
  (typeof testPopulation)[number],
  (typeof testPopulation)[number],
  (typeof testPopulation)[number],
];
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

let ps: PagesStack;
let browser: Browser;
let pdf: Uint8Array;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [ps, browser, pdf] = await Promise.all([
    startPagesStack(),
    launchChromium(),
    samplePdf('Contract of employment'),
  ]);
  await grantRole(ps.stack.t.db, { pid: ingrid.pid, org: ORG, role: 'SENDER' });
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await ps?.stop();
});

async function loggedIn(path: string, pid: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${ps.baseUrl}${path}`);
  await providerLogin(page, ps.baseUrl, pid, 4);
  return page;
}

async function signInPortal(pid: string, title: string) {
  const page = await loggedIn('/portal', pid);
  await poll(async () => {
    await page.reload();
    return page.getByRole('link', { name: title }).count();
  }).toBe(1);
  await page.getByRole('link', { name: title }).click();
  await page.getByRole('button', { name: 'Sign' }).click();
  await poll(() => page.getByRole('status').textContent()).toContain('You have signed');
}

describe('sender portal', () => {
  // Many steps through the real stack: slow on a loaded machine, so more than the default minute.
  it('creates a job from the form, follows it to completion and downloads the results', {
    timeout: 180_000,
  }, async () => {
    const staff = await loggedIn('/sender', ingrid.pid);
    await poll(() => staff.locator('h1').textContent()).toBe('Sender portal: Development Sender AS');
    await staff.getByRole('link', { name: 'New job' }).click();
    // (Screenshots are taken before typing: a full-page screenshot just before a click made the
    // click miss in headless Chromium.)
    await screenshot(staff, 'sender-new-job');

    // A mistake comes back as the API's validation, next to the form.
    await staff.getByLabel('Title', { exact: true }).fill('Partnership agreement');
    await staff
      .getByLabel('Documents')
      .setInputFiles({ name: 'agreement.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await staff.locator('#signer-0-identifier').fill('12345678901');
    await staff.getByRole('button', { name: 'Create job' }).click();
    await poll(() => staff.getByRole('alert').textContent()).toContain(
      'Signer 1: This is not a valid national identity number.',
    );
    await screenshot(staff, 'sender-new-job-errors');

    await staff
      .getByLabel('Documents')
      .setInputFiles({ name: 'agreement.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await staff.locator('#signer-0-identifier').fill(kari.pid);
    await staff.locator('#signer-0-order').fill('0');
    await staff.locator('#signer-0-email').fill('kari@example.com');
    await staff.locator('#signer-1-identifier').fill(ola.pid);
    await staff.locator('#signer-1-order').fill('1');
    await staff.locator('#signer-1-email').fill('ola@example.com');
    await staff.locator('#signer-1-signatureType').selectOption('ADVANCED_SIGNATURE');
    await staff.getByLabel('Deadline of each group, in days from its activation (1-90)').fill('7');
    await staff.getByRole('button', { name: 'Create job' }).click();

    await poll(() => staff.getByRole('status').textContent()).toContain('The job has been created.');
    const jobId = /\/jobs\/([0-9a-f-]{36})/.exec(staff.url())![1]!;
    await screenshot(staff, 'sender-job-created');

    await signInPortal(kari.pid, 'Partnership agreement');
    await signInPortal(ola.pid, 'Partnership agreement');
    const ended = await waitForJob(ps, 'portal', jobId, (j) => j.status !== 'IN_PROGRESS');

    await staff.reload();
    await screenshot(staff, 'sender-job-status');
    // Each signer's XAdES was made as they signed in the portal.
    const signatures = await ps.stack.t.db
      .selectFrom('artifacts')
      .select('signer_id')
      .where('job_id', '=', jobId)
      .where('kind', '=', 'XADES')
      .execute();
    expect(signatures).toHaveLength(2);
    expect(ended.status).toBe('COMPLETED_SUCCESSFULLY');
    const [download] = await Promise.all([
      staff.waitForEvent('download'),
      staff.getByRole('link', { name: 'Download the signed PDF (PAdES)' }).click(),
    ]);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const [xades] = await Promise.all([
      staff.waitForEvent('download'),
      staff.getByRole('link', { name: 'Signature object (XAdES)' }).first().click(),
    ]);
    expect(await readFile(await xades.path(), 'utf8')).toContain('SignedInfo');
  });

  it('extends the deadline and cancels a job', async () => {
    const job = await createJob(
      ps,
      'portal',
      {
        title: 'Lease',
        documents: [{ title: 'Lease', fileName: 'lease.pdf', mimeType: 'application/pdf' }],
        signers: [{ personalIdentificationNumber: kari.pid, notifications: { email: 'kari@example.com' } }],
      },
      { 'lease.pdf': pdf },
    );
    const staff = await loggedIn(`/sender/${ORG}/jobs/${job.id}`, ingrid.pid);
    await staff.getByLabel('New deadline of the group signing now, in days from its activation').fill('45');
    await staff.getByRole('button', { name: 'Extend' }).click();
    await poll(() => staff.getByRole('status').textContent()).toContain('The deadline is now');
    await staff.getByRole('button', { name: 'Cancel the job' }).click();
    await poll(() => staff.getByRole('status').textContent()).toContain('The job has been cancelled.');
    await waitForJob(ps, 'portal', job.id, (j) => j.status === 'FAILED');
    const audit = await ps.stack.t.db
      .selectFrom('audit_events')
      .select(['event', 'actor'])
      .where('job_id', '=', job.id)
      .where('idempotency_key', 'like', 'page:%')
      .execute();
    expect(audit.map((a) => a.event).sort()).toEqual([
      'SENDER_PORTAL_DEADLINE_EXTENDED',
      'SENDER_PORTAL_JOB_CANCELLED',
    ]);
    expect(audit[0]!.actor).toMatch(/^person:[0-9a-f]{64}$/);
  });

  it('refuses a person without a role in the organisation', async () => {
    const page = await loggedIn('/sender', per.pid);
    await poll(() => page.locator('h1').textContent()).toBe('Sender portal');
    expect(await page.getByText('You have no role in any sender organisation').count()).toBe(1);
    const res = await page.request.get(`${ps.baseUrl}/sender/${ORG}/jobs/new`);
    expect(res.status()).toBe(403);
  });
});
