/**
 * Links lead to the job, in Chromium on the real stack: the notice's link opens the job's own
 * signing page, whose login asks at once for the level the job needs (4), and lands on the job;
 * in the signing portal after a level-3 login, a waiting level-4 job offers a level-4 login that
 * returns to it; a direct-flow link opened again says how the signing went and leads back to the
 * sender's site (its exit URL), not to the signing portal. All at a phone's 390 px, with axe on
 * each of our pages (no serious or critical violation), and the one-time-code page of a link the
 * sender sent without naming the person.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { directJob, EXIT_URLS } from '../helpers/api/http.js';
import { seriousAxeViolations } from '../helpers/browser/axe.js';
import { launchChromium, providerLogin } from '../helpers/browser/browser.js';
import { createJob, waitForJob } from '../helpers/browser/jobs.js';
import { signerCodeFromSms } from '../helpers/notifications.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { samplePdf } from '../helpers/requests.js';

const kari = testPopulation[0]!;
const ola = testPopulation[1]!;

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

/** A phone's screen. */
const phone = (locale?: string): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 390, height: 844 }, ...(locale ? { locale } : {}) });

const portalJob = (pid: string, title: string) => ({
  title,
  nonsensitiveTitle: 'A contract',
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
  signers: [{ personalIdentificationNumber: pid }],
  requiredAuthentication: 4,
});

/** The link in the first notice e-mail to `to` (Kari gets one in this file), waiting for it. */
async function noticeLink(to: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const mail = (await ps.stack.notices.messages()).find((m) => JSON.stringify(m.to ?? '').includes(to));
    const href = mail?.html ? /href="([^"]+)"/.exec(mail.html)?.[1] : undefined;
    if (href) return href.replaceAll('&amp;', '&');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no notice to ${to}`);
}

/** The newest one-time code sent by SMS to `mobile` (development SMS gateway). */
const codeFromSms = (mobile: string) => signerCodeFromSms(ps.stack.t.db, mobile);

describe('links that lead to the job', () => {
  it("the notice links to the job's signing page; its login asks for level 4 at once", async () => {
    const job = await createJob(ps, 'portal', portalJob(kari.pid, 'Lease agreement'), {
      'contract.pdf': pdf,
    });
    const link = await noticeLink(kari.email!);
    expect(link).toBe(`${ps.baseUrl}/sign/${job.id}/${job.signers[0]!.id}`);

    const context = await phone();
    try {
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/login') asked.push(r.url());
      });
      await page.goto(link);
      await providerLogin(page, ps.baseUrl, kari.pid, 4);
      // One login, at level 4, and back on the job with its full title.
      expect(asked).toHaveLength(1);
      expect(new URL(asked[0]!).searchParams.get('level')).toBe('4');
      expect(new URL(page.url()).pathname).toBe(`/sign/${job.id}/${job.signers[0]!.id}`);
      await expect.poll(() => page.locator('h1').textContent()).toContain('Lease agreement');
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('/portal after a level-3 login offers a level-4 login that returns to the waiting job', async () => {
    const job = await createJob(ps, 'portal', portalJob(ola.pid, 'Loan agreement'), { 'contract.pdf': pdf });
    const context = await phone();
    try {
      const page = await context.newPage();
      await page.goto(`${ps.baseUrl}/portal`);
      await providerLogin(page, ps.baseUrl, ola.pid, 3);
      const here = `/sign/${job.id}/${job.signers[0]!.id}`;
      const stepUp = page.locator('a.step-up');
      await expect.poll(() => stepUp.count()).toBe(1);
      expect(await stepUp.textContent()).toContain('4');
      expect(await seriousAxeViolations(page)).toEqual([]);
      const href = new URL((await stepUp.getAttribute('href'))!, ps.baseUrl);
      expect({
        path: href.pathname,
        next: href.searchParams.get('next'),
        level: href.searchParams.get('level'),
      }).toEqual({ path: '/login', next: here, level: '4' });
      await stepUp.click();
      await providerLogin(page, ps.baseUrl, ola.pid, 4);
      expect(new URL(page.url()).pathname).toBe(here);
      await expect.poll(() => page.locator('h1').textContent()).toContain('Loan agreement');
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a used direct link says the signer has signed and leads back to the sender, not to the portal', async () => {
    const job = await createJob(
      ps,
      'direct',
      directJob({ signers: [{ personalIdentificationNumber: kari.pid }] }),
      {
        'contract.pdf': pdf,
      },
    );
    const redirectUrl = job.signers[0]!.redirectUrl!;
    // The link's first use (the browser's), then the signature through the development endpoint.
    const first = await fetch(redirectUrl, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const signed = await fetch(
      `${ps.baseUrl}/api/dev/signature-jobs/${job.id}/signers/${job.signers[0]!.id}/sign`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"authenticationLevel":4}' },
    );
    expect(signed.status).toBe(200);
    await waitForJob(ps, 'direct', job.id, (j) => j.signers[0]!.status === 'SIGNED');

    const context = await phone('en-GB');
    try {
      const page = await context.newPage();
      const res = await page.goto(redirectUrl);
      expect(res?.status()).toBe(410);
      expect(await page.locator('main').textContent()).toContain('You have signed');
      const back = page.locator('.way-on a');
      expect(await back.count()).toBe(1);
      expect(await back.getAttribute('href')).toBe(EXIT_URLS.completionUrl);
      expect(await back.textContent()).toContain('Back to');
      expect(await page.locator('a[href="/portal"]').count()).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a link sent without naming the person asks for the one-time code, on a phone, and leads to the job', async () => {
    const mobile = '+4799112233';
    const job = await createJob(
      ps,
      'portal',
      {
        ...portalJob(ola.pid, 'Power of attorney'),
        signers: [{ email: 'agent@example.com', mobile, onBehalfOf: 'OTHER' }],
      },
      { 'contract.pdf': pdf },
    );
    const link = await noticeLink('agent@example.com');
    const context = await phone('en-GB');
    try {
      const page = await context.newPage();
      await page.goto(link);
      const send = page.getByRole('button', { name: 'Send me the code' });
      await expect.poll(() => send.count()).toBe(1);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await send.click();
      const code = await codeFromSms(mobile);
      await expect.poll(() => page.getByLabel('One-time code (6 digits)').count()).toBe(1);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.getByLabel('One-time code (6 digits)').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await providerLogin(page, ps.baseUrl, ola.pid, 4);
      expect(new URL(page.url()).pathname).toBe(`/sign/${job.id}/${job.signers[0]!.id}`);
      await expect.poll(() => page.getByRole('button', { name: 'Sign', exact: true }).count()).toBe(1);
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
