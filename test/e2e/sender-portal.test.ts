/**
 * The sender portal in Debian's Chromium against the real stack: a staff member with a role
 * creates a job by uploading a document and entering two signers in two groups, the signers sign
 * in the signing portal, and the staff member follows the status and downloads the results; a job
 * is extended and cancelled; a person without a role is refused.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../api/pages/layout.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { grantRole } from '../../src/portal/roles.js';
import { seriousAxeViolations } from '../helpers/browser/axe.js';
import { launchChromium, providerLogin, screenshot } from '../helpers/browser/browser.js';
import { createJob, readJob, waitForJob } from '../helpers/browser/jobs.js';
import { cancelThroughConfirmation } from '../helpers/browser/sender-actions.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';

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

async function loggedIn(path: string, pid: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-GB',
    acceptDownloads: true,
    viewport: { width, height: 900 },
  });
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
    // Named after the job and the day it was sealed, not its id.
    expect(download.suggestedFilename()).toMatch(/^Partnership-agreement-signed-\d{4}-\d\d-\d\d\.pdf$/);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const [xades] = await Promise.all([
      staff.waitForEvent('download'),
      staff.getByRole('link', { name: 'Signature object (XAdES)' }).first().click(),
    ]);
    expect(await readFile(await xades.path(), 'utf8')).toContain('SignedInfo');
    expect(xades.suggestedFilename()).toMatch(/^Partnership-agreement-signer-1-signed-\d{4}-\d\d-\d\d\.xml$/);
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
    const days = staff.getByLabel(
      /^Days the group signing now has in all, counted from .+ when it received the job/,
    );
    // The label says what the number is: the whole lifetime, 30 days now (the default).
    expect(await staff.locator('#days-hint').textContent()).toMatch(/^Now: 30 days, deadline /);
    const deadline = (await readJob(ps, 'portal', job.id)) as { deadline?: string };
    // Fewer days than the group has would move the deadline earlier: refused at the field.
    await days.fill('10');
    await staff.getByRole('button', { name: 'Extend' }).click();
    await poll(() => staff.locator('#days-error').textContent()).toContain(
      `The deadline can only move later. The current deadline is ${formatTime('en', deadline.deadline!)}`,
    );
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousAxeViolations(staff)).toEqual([]);
    expect(await days.inputValue()).toBe('10');
    expect(((await readJob(ps, 'portal', job.id)) as { deadline?: string }).deadline).toBe(deadline.deadline);
    // A number the form cannot take (the browser's own check stopped at min=1): named at the field.
    const token = await staff.locator('input[name="_csrf"]').first().getAttribute('value');
    const invalid = await staff.request.post(`${ps.baseUrl}/sender/${ORG}/jobs/${job.id}/deadline`, {
      form: { _csrf: token!, days: '0' },
      headers: { origin: ps.baseUrl, 'accept-language': 'en-GB' },
      maxRedirects: 0,
    });
    expect(invalid.status()).toBe(409);
    expect(await invalid.text()).toContain(
      '<p class="field-error" id="days-error">Enter a whole number of days from 1 to 90.</p>',
    );
    await days.fill('45');
    await staff.getByRole('button', { name: 'Extend' }).click();
    await poll(() => staff.getByRole('status').textContent()).toContain('The deadline is now');
    expect(await staff.locator('#days-hint').textContent()).toMatch(/^Now: 45 days, deadline /);
    // Cancelling asks first; a cancelled job is named so, on its page and in the list's filter.
    await cancelThroughConfirmation(staff, ps, job.id);
    expect(await staff.locator('.job-outcome').textContent()).toBe('Cancelled by the sender');
    await staff.goto(`${ps.baseUrl}/sender/${ORG}?status=CANCELLED&q=Lease`);
    expect(await staff.locator(`tbody a[href$="${job.id}"]`).count()).toBe(1);
    await staff.goto(`${ps.baseUrl}/sender/${ORG}?status=REJECTED&q=Lease`);
    expect(await staff.locator(`tbody a[href$="${job.id}"]`).count()).toBe(0);
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

  for (const width of [390, 1280]) {
    it(`at ${width} px: a rejection's reason, and a job created through the API's direct flow`, {
      timeout: 120_000,
    }, async () => {
      const title = `Rejected at ${width}`;
      const reason = `Wrong salary in clause 3 (${width})`;
      const job = await createJob(
        ps,
        'portal',
        {
          title,
          documents: [{ title, fileName: 'offer.pdf', mimeType: 'application/pdf' }],
          signers: [{ email: 'kari@example.com' }, { email: 'ola@example.com' }],
        },
        { 'offer.pdf': pdf },
      );
      const reject = (signerId: string, body: unknown) =>
        fetch(`${ps.baseUrl}/api/dev/signature-jobs/${job.id}/signers/${signerId}/reject`, {
          method: 'POST',
          body: JSON.stringify(body),
        });
      // The first group may act once it is shown to its signers (its deadline is set then).
      await waitForJob(ps, 'portal', job.id, (j) => (j as { deadline?: string }).deadline !== undefined);
      const rejected = await reject(job.signers[0]!.id, { reason });
      expect(rejected.status, await rejected.text()).toBe(200);
      await waitForJob(ps, 'portal', job.id, (j) => j.status === 'FAILED');

      const staff = await loggedIn(`/sender/${ORG}/jobs/${job.id}`, ingrid.pid, width);
      await poll(() => staff.locator('.job-outcome').textContent()).toBe('Rejected by a signer');
      const rejecter = staff.locator(`[data-signer="${job.signers[0]!.id}"]`);
      expect(await rejecter.locator('.rejection-reason').textContent()).toBe(
        `Reason for the sender: “${reason}”`,
      );
      expect(await rejecter.locator('.signer-state').textContent()).toBe('Rejected');
      // Its history has the rejection with the reason (among the notices, in the order recorded).
      expect(await rejecter.locator('.signer-history li').allTextContents()).toContainEqual(
        expect.stringMatching(
          new RegExp(`: rejected, giving the reason “${reason.replace(/[()]/g, '\\$&')}”$`),
        ),
      );
      // The JSON API carries the same reason.
      const viewed = (await readJob(ps, 'portal', job.id)) as unknown as {
        signers: { id: string; rejectionReason?: string }[];
      };
      expect(viewed.signers.map((s) => s.rejectionReason ?? null)).toEqual([reason, null]);
      // The other signer did not reject: no reason line.
      expect(await staff.locator(`[data-signer="${job.signers[1]!.id}"] .rejection-reason`).count()).toBe(0);
      expect(await staff.getByRole('button', { name: 'Extend' }).count()).toBe(0);
      // Readable at the width: nothing wider than the screen, and no serious axe finding.
      expect(await staff.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
        true,
      );
      expect(await seriousAxeViolations(staff)).toEqual([]);
      await screenshot(staff, `sender-job-rejected-${width}`);

      await staff.goto(`${ps.baseUrl}/sender/${ORG}?status=REJECTED&q=${encodeURIComponent(title)}`);
      expect(await staff.locator('tbody tr').count()).toBe(1);
      expect(await staff.locator('tbody td[data-outcome]').textContent()).toBe('Rejected by a signer');

      // A job from the API's direct flow is the organisation's too: listed, and its page opens.
      const directTitle = `Direct at ${width}`;
      const direct = await createJob(
        ps,
        'direct',
        {
          title: directTitle,
          documents: [{ title: directTitle, fileName: 'nda.pdf', mimeType: 'application/pdf' }],
          signers: [{ personalIdentificationNumber: kari.pid }],
          exitUrls: {
            completionUrl: 'https://sender.example/ok',
            rejectionUrl: 'https://sender.example/rejected',
            errorUrl: 'https://sender.example/error',
          },
        },
        { 'nda.pdf': pdf },
      );
      await staff.goto(`${ps.baseUrl}/sender/${ORG}?q=${encodeURIComponent(directTitle)}`);
      await staff.getByRole('link', { name: directTitle }).click();
      await poll(() => staff.locator('h1').textContent()).toBe(directTitle);
      expect(staff.url()).toBe(`${ps.baseUrl}/sender/${ORG}/jobs/${direct.id}`);
      expect(await staff.locator('.job-outcome').textContent()).toBe('In progress');
      expect(await staff.getByText('Direct signing (API)').count()).toBe(1);
      // The direct flow has no sender's cancel or extension.
      expect(await staff.getByRole('link', { name: 'Cancel the job' }).count()).toBe(0);
      const directReject = await fetch(
        `${ps.baseUrl}/api/dev/signature-jobs/${direct.id}/signers/${direct.signers[0]!.id}/reject`,
        { method: 'POST', body: JSON.stringify({}) },
      );
      expect(directReject.status).toBe(200);
      await waitForJob(ps, 'direct', direct.id, (j) => j.status === 'FAILED');
      await staff.reload();
      expect(await staff.locator('.job-outcome').textContent()).toBe('Rejected by a signer');
      expect(await staff.locator('.rejection-reason').textContent()).toBe('No reason given.');
    });
  }

  it('refuses a person without a role in the organisation', async () => {
    const page = await loggedIn('/sender', per.pid);
    await poll(() => page.locator('h1').textContent()).toBe('Sender portal');
    expect(await page.getByText('You have no role in any sender organisation').count()).toBe(1);
    const res = await page.request.get(`${ps.baseUrl}/sender/${ORG}/jobs/new`);
    expect(res.status()).toBe(403);
  });
});
