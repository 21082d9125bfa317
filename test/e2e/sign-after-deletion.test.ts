/**
 * Issue 12: a signer who signs again after the job's documents were deleted (a second tab left
 * open, a form sent twice) once got a 500. In Debian's Chromium against the real stack: the
 * ceremony page answers 409 and says the signer has already signed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { launchChromium, providerLogin } from '../helpers/browser/browser.js';
import { createJob, waitForJob } from '../helpers/browser/jobs.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
const kari = testPopulation[0]!;

let ps: PagesStack;
let browser: Browser;
let pdf: Uint8Array;
beforeAll(async () => {
  [ps, browser, pdf] = await Promise.all([startPagesStack(), launchChromium(), samplePdf()]);
});
afterAll(async () => {
  await browser?.close();
  await ps?.stop();
});

describe('signing again after the documents were deleted', () => {
  it('shows the refusal with 409, not an error page', { timeout: 120_000 }, async () => {
    const job = await createJob(
      ps,
      'portal',
      {
        title: 'Lease for Kari',
        documents: [{ title: 'Lease', fileName: 'lease.pdf', mimeType: 'application/pdf' }],
        signers: [{ personalIdentificationNumber: kari.pid, notifications: { email: 'x@example.com' } }],
      },
      { 'lease.pdf': pdf },
    );
    const context = await browser.newContext({ locale: 'en-GB' });
    const first = await context.newPage();
    await first.goto(`${ps.baseUrl}/portal`);
    await providerLogin(first, ps.baseUrl, kari.pid, 4);
    await first.getByRole('link', { name: 'Lease for Kari' }).click();
    await poll(() => first.locator('h1').textContent()).toBe('Lease for Kari');
    // The same ceremony in a second tab, its Sign button still there after the first tab signs.
    const second = await context.newPage();
    await second.goto(first.url());
    await poll(() => second.getByRole('button', { name: 'Sign' }).count()).toBe(1);

    await first.getByRole('button', { name: 'Sign' }).click();
    await poll(() => first.getByRole('status').textContent()).toContain('You have signed');
    await waitForJob(ps, 'portal', job.id, (j) => j.status === 'COMPLETED_SUCCESSFULLY');
    const removed = await ps.api(`/api/${ORG}/portal/signature-jobs/${job.id}/documents`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(202);
    await poll(async () => {
      const xades = await ps.stack.t.db
        .selectFrom('artifacts')
        .select('deleted_at')
        .where('job_id', '=', job.id)
        .where('kind', '=', 'XADES')
        .executeTakeFirst();
      return xades?.deleted_at != null;
    }).toBe(true);

    const answer = second.waitForResponse((r) => r.request().method() === 'POST');
    await second.getByRole('button', { name: 'Sign' }).click();
    expect((await answer).status()).toBe(409);
    await poll(() => second.getByRole('alert').textContent()).toContain('already signed or rejected');
    await context.close();
  });
});
