/**
 * What a signer is told about her signed copy, in Debian's Chromium against the real stack: a
 * signer without a digital mailbox is never told it goes there (before signing she reads that she
 * downloads it, after completion that nothing was sent and until when a new mailbox still gets
 * it); one with a mailbox reads "sent" only once the delivery is recorded. The signing page names
 * the other signers (by name once their eID gave it, else "Signer n") with their status, shows the
 * deadline, and updates itself after the last signature, without a reload by hand. axe on each.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { seriousAxeViolations } from '../helpers/browser/axe.js';
import { launchChromium, providerLogin } from '../helpers/browser/browser.js';
import { createJob, readJob, waitForJob } from '../helpers/browser/jobs.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { samplePdf } from '../helpers/requests.js';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 });
const kari = testPopulation[0]!; // has a digital mailbox
const ola = testPopulation[1]!;
const per = testPopulation[3]!; // has none

let ps: PagesStack;
let browser: Browser;
let pdf: Uint8Array;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [ps, browser, pdf] = await Promise.all([startPagesStack(), launchChromium(), samplePdf()]);
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await ps?.stop();
});

async function personPage(width: number): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

const progress = (page: Page) => page.locator('section.progress').first();
const oneSignerJob = (pid: string, title: string) => ({
  title,
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
  signers: [{ personalIdentificationNumber: pid, notifications: { email: 'someone@example.com' } }],
});

/** Opens the signer's page, logged in at level 4. */
async function openAsSigner(width: number, pid: string, jobId: string, signerId: string): Promise<Page> {
  const page = await personPage(width);
  await page.goto(`${ps.baseUrl}/sign/${jobId}/${signerId}`);
  await providerLogin(page, ps.baseUrl, pid, 4);
  await poll(() => page.getByRole('button', { name: 'Sign' }).count()).toBe(1);
  return page;
}

async function signAndAwaitCompletion(page: Page, jobId: string) {
  await page.getByRole('button', { name: 'Sign' }).focus();
  await page.keyboard.press('Enter');
  await waitForJob(ps, 'portal', jobId, (j) => j.status === 'COMPLETED_SUCCESSFULLY');
}

/** The page's copy note, reloading until it is the expected one. */
const copyNoteAfterReload = (page: Page) =>
  poll(async () => {
    await page.reload();
    return progress(page).getAttribute('data-copy');
  });

const forwardOf = (jobId: string) =>
  ps.stack.t.db
    .selectFrom('mailbox_forwards')
    .select('status')
    .where('job_id', '=', jobId)
    .executeTakeFirst();

describe.each([390, 1280])('at %i px', (width) => {
  it('tells a signer without a digital mailbox the truth before and after signing', {
    timeout: 180_000,
  }, async () => {
    const job = await createJob(ps, 'portal', oneSignerJob(per.pid, `No mailbox ${width}`), {
      'contract.pdf': pdf,
    });
    const page = await openAsSigner(width, per.pid, job.id, job.signers[0]!.id);
    expect(await progress(page).getAttribute('data-copy')).toBe('NO_MAILBOX');
    const before = await progress(page).textContent();
    expect(before).toContain('You have no digital mailbox, so the signed document is not sent there.');
    expect(before).not.toContain('comes to your digital mailbox');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await signAndAwaitCompletion(page, job.id);
    // The forward recorded an offer (no mailbox): the page says nothing was sent, and until when.
    await poll(async () => (await forwardOf(job.id))?.status).toBe('PENDING');
    await copyNoteAfterReload(page).toBe('MAILBOX_OFFERED');
    const after = await progress(page).textContent();
    expect(after).toContain('You have no digital mailbox, so no copy was sent there.');
    expect(after).toMatch(/If you create one before \d/);
    expect(after).toContain('Download the signed document here or under “Your signature jobs”');
    expect(after).not.toContain('has been sent to your digital mailbox');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('tells a signer with a mailbox it will go there, and "sent" once the delivery is recorded', {
    timeout: 180_000,
  }, async () => {
    const job = await createJob(ps, 'portal', oneSignerJob(kari.pid, `Mailbox ${width}`), {
      'contract.pdf': pdf,
    });
    const page = await openAsSigner(width, kari.pid, job.id, job.signers[0]!.id);
    expect(await progress(page).getAttribute('data-copy')).toBe('MAILBOX_LATER');
    expect(await progress(page).textContent()).toContain(
      'Once everyone has signed, the signed document comes to your digital mailbox.',
    );

    await signAndAwaitCompletion(page, job.id);
    await poll(async () => (await forwardOf(job.id))?.status).toBe('DELIVERED');
    await copyNoteAfterReload(page).toBe('MAILBOX_SENT');
    expect(await progress(page).textContent()).toContain('A copy has been sent to your digital mailbox.');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

describe.each([390, 1280])('the waiting page at %i px', (width) => {
  it('names the other signers, shows the deadline and updates itself after the last signature', {
    timeout: 180_000,
  }, async () => {
    const job = await createJob(
      ps,
      'portal',
      {
        title: `Together ${width}`,
        documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
        signers: [
          { personalIdentificationNumber: kari.pid, notifications: { email: 'kari@example.com' } },
          { personalIdentificationNumber: ola.pid, notifications: { email: 'ola@example.com' } },
        ],
      },
      { 'contract.pdf': pdf },
    );
    const kariPage = await openAsSigner(width, kari.pid, job.id, job.signers[0]!.id);
    const others = kariPage.locator('ul.other-signers li');
    expect(await others.count()).toBe(1);
    // Before Ola signs, his name is not known to the service: he is "Signer 2".
    expect(await others.first().textContent()).toBe('Signer 2: Waiting');
    expect(await kariPage.locator('.deadline').textContent()).toMatch(/^Everyone must have signed by \d/);

    await kariPage.getByRole('button', { name: 'Sign' }).focus();
    await kariPage.keyboard.press('Enter');
    await poll(() => progress(kariPage).getAttribute('data-stage')).toBe('SIGNED_WAITING');
    expect(await kariPage.locator('[data-updates-itself]').textContent()).toBe('This page updates itself.');
    // What happens next: the same step on this page and in the API's job view.
    expect(await kariPage.locator('section.next-step').textContent()).toMatch(
      /^Next: waiting for 1 signature\(s\), until \d/,
    );
    expect((await readJob(ps, 'portal', job.id)).next).toMatchObject({ kind: 'SIGNATURES', waitingFor: 1 });
    expect(await seriousAxeViolations(kariPage)).toEqual([]);
    // The progress endpoint answers only where the page would: without a login, a way to log in.
    const anonymous = await fetch(`${ps.baseUrl}/sign/${job.id}/${job.signers[0]!.id}/progress`, {
      redirect: 'manual',
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('content-type') ?? '').not.toContain('json');
    const ownSession = await kariPage.evaluate(
      async (url) => (await fetch(url)).json(),
      `/sign/${job.id}/${job.signers[0]!.id}/progress`,
    );
    expect(ownSession).toEqual({ state: 'SIGNED_WAITING:MAILBOX_LATER:0', waiting: true });

    const olaPage = await openAsSigner(width, ola.pid, job.id, job.signers[1]!.id);
    await olaPage.getByRole('button', { name: 'Sign' }).focus();
    await olaPage.keyboard.press('Enter');

    // Kari's page, untouched by the test, reaches the completed state on its own.
    await poll(() => progress(kariPage).getAttribute('data-stage')).toBe('COMPLETED');
    await poll(() => others.first().textContent()).toBe(`${ola.name}: Signed`);
    expect(await kariPage.locator('.deadline').count()).toBe(0);
    await poll(() => progress(kariPage).getAttribute('data-copy')).toBe('MAILBOX_SENT');
    // Nothing left to wait for: the page no longer watches.
    expect(await kariPage.locator('[data-watch]').count()).toBe(0);
    expect(await seriousAxeViolations(kariPage)).toEqual([]);
  });
});
