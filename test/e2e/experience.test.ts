/**
 * The signer's and the sender's experience in Debian's Chromium against the real stack, at a
 * phone's 390 px and a desktop's 1280 px: a two-group portal job and a direct job walked through
 * (the progress line after each signature, the signed job still listed for its signer, the
 * document pages drawn by the page at full width without sideways scrolling), the sender's job
 * view with names and each signer's state, the new-job form's mistakes at their fields with the
 * focus on the first and the upload kept, the HTML error pages with a way on, and axe-core on
 * every main page (no serious or critical violation). Screenshots of each main page at both widths
 * go to test-artifacts/screenshots/<page>-<width>.png.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { grantRole } from '../../src/portal/roles.js';
import { seriousAxeViolations } from '../helpers/browser/axe.js';
import { launchChromium, providerLogin, screenshot } from '../helpers/browser/browser.js';
import { type ExitServer, startExitServer } from '../helpers/browser/exit-server.js';
import { createJob, waitForJob } from '../helpers/browser/jobs.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { ORG } from '../helpers/stack.js';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });
const [kari, ola, ingrid] = [0, 1, 2].map((i) => testPopulation[i]!) as [
  (typeof testPopulation)[number],
  (typeof testPopulation)[number],
  (typeof testPopulation)[number],
];

let ps: PagesStack;
let browser: Browser;
let exit: ExitServer;
let pdf: Uint8Array;
const contexts: BrowserContext[] = [];

/** A two-page contract, so the page count says "2 pages". */
async function twoPagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ['Employment contract, page one', 'Page two: salary and signatures']) {
    doc.addPage([595, 842]).drawText(text, { x: 72, y: 770, size: 18, font });
  }
  return doc.save();
}

beforeAll(async () => {
  [ps, browser, exit, pdf] = await Promise.all([
    startPagesStack(),
    launchChromium(),
    startExitServer(),
    twoPagePdf(),
  ]);
  await grantRole(ps.stack.t.db, { pid: ingrid.pid, org: ORG, role: 'SENDER' });
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await exit?.close();
  await ps?.stop();
});

async function personPage(width: number): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

/** The page as a person would judge it: no sideways scrolling, no serious accessibility fault. */
async function checkPage(page: Page, name: string, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), name).toBe(
    true,
  );
  expect(await seriousAxeViolations(page), name).toEqual([]);
  await screenshot(page, `${name}-${width}`);
}

/**
 * The document is shown by the page itself, inside the screen's width: on the phone first as text
 * at a readable size (reading mode, as its pages would be too small), on the desktop as pages;
 * then, as pages, each drawn whole at the screen's width.
 */
async function expectPagesVisible(page: Page, pages: number) {
  await poll(() => page.locator('.pdf-view').first().getAttribute('aria-busy')).toBe('false');
  await poll(() => page.locator('.page-count').first().textContent()).toBe(`${pages} pages`);
  const innerWidth = await page.evaluate(() => window.innerWidth);
  if ((await page.locator('.viewer-tools [aria-pressed=true]').textContent()) === 'Text') {
    expect(innerWidth).toBeLessThan(600);
    const reading = page.locator('.reading').first();
    expect(await reading.locator('.text-page').count()).toBe(pages);
    expect(await reading.textContent()).toContain('Employment contract, page one');
    const box = (await reading.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(innerWidth);
    await page.getByRole('button', { name: 'Pages' }).click();
  }
  await poll(() => page.locator('.pdf-page canvas').count()).toBe(pages);
  for (const box of await page.locator('.pdf-page').all()) {
    const rect = (await box.boundingBox())!;
    expect(rect.width).toBeGreaterThan(innerWidth * 0.6);
    expect(rect.x + rect.width).toBeLessThanOrEqual(innerWidth);
    expect(rect.height).toBeGreaterThan(rect.width); // portrait A4, not squashed
  }
  // The viewer drew something: the canvas is not blank.
  await poll(() =>
    page.evaluate(() => {
      const c = document.querySelector('.pdf-page canvas') as HTMLCanvasElement;
      if (!c || c.width === 0) return false;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height / 4).data;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) return true;
      return false;
    }),
  ).toBe(true);
  expect(await page.getByRole('link', { name: /Open “Contract” in a new tab/ }).count()).toBeGreaterThan(0);
}

/**
 * Presses a button by keyboard, as a person without a mouse would: a click can miss while the
 * document viewer is still drawing pages above the button (the layout moves under the pointer).
 */
async function press(page: Page, name: string) {
  await page.getByRole('button', { name }).focus();
  await page.keyboard.press('Enter');
}

const progress = (page: Page) => page.locator('section.progress').first().textContent();

const portalJob = (title: string) => ({
  title,
  nonsensitiveTitle: 'A contract',
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
  signers: [
    { personalIdentificationNumber: kari.pid, order: 0, notifications: { email: 'kari@example.com' } },
    { personalIdentificationNumber: ola.pid, order: 1, notifications: { email: 'ola@example.com' } },
  ],
});

describe.each([390, 1280])('at %i px', (width) => {
  it('walks a two-group portal job: progress after each signature, the signed job kept, the sender view', {
    timeout: 240_000,
  }, async () => {
    const title = `Contract ${width}`;
    const job = await createJob(ps, 'portal', portalJob(title), { 'contract.pdf': pdf });

    const kariPage = await personPage(width);
    await kariPage.goto(`${ps.baseUrl}/portal`);
    await providerLogin(kariPage, ps.baseUrl, kari.pid, 4);
    await poll(() => kariPage.getByRole('link', { name: title }).count()).toBe(1);
    await checkPage(kariPage, 'portal-list', width);
    await kariPage.getByRole('link', { name: title }).click();
    await poll(() => kariPage.locator('h1').textContent()).toBe(title);
    expect(await progress(kariPage)).toContain('Group 1 of 2');
    expect(await progress(kariPage)).toContain('It is your turn');
    expect(await progress(kariPage)).toContain('your digital mailbox');
    await expectPagesVisible(kariPage, 2);
    // No technical noise for the signer.
    const text = await kariPage.locator('main').textContent();
    expect(text).not.toMatch(/SHA-256|XAdES|PAdES|Document to sign/);
    await checkPage(kariPage, 'ceremony-portal', width);

    // Ola's group has not started: he sees nothing to sign yet.
    const olaPage = await personPage(width);
    await olaPage.goto(`${ps.baseUrl}/sign/${job.id}/${job.signers[1]!.id}`);
    await providerLogin(olaPage, ps.baseUrl, ola.pid, 4);
    await poll(() => progress(olaPage)).toContain('Your group has not started yet');
    expect(await olaPage.getByRole('button', { name: 'Sign' }).count()).toBe(0);

    // The sender sees both by name, Kari notified, Ola waiting for an earlier group.
    const staff = await personPage(width);
    await staff.goto(`${ps.baseUrl}/sender/${ORG}/jobs/${job.id}`);
    await providerLogin(staff, ps.baseUrl, ingrid.pid, 4);
    const signerRow = (name: string) => staff.locator('li[data-signer]', { hasText: name });
    await poll(() => signerRow('Kari Nordmann').count()).toBe(1);
    expect(await signerRow('Kari Nordmann').textContent()).toContain(kari.pid);
    expect(await signerRow('Kari Nordmann').locator('.signer-state').textContent()).toMatch(
      /Has seen the documents|Notified/,
    );
    expect(await signerRow('Ola Nordmann').locator('.signer-state').textContent()).toBe(
      'Waiting for an earlier group to sign',
    );
    // What happens next, in the words the signing page and the API's `next` share.
    expect(await staff.locator('section.next-step').textContent()).toMatch(
      // Groups named by the sender's numbers (the form's and the API's), with their place.
      /^Next: waiting for the signatures of group 0 \(step 1 of 2\), until \d/,
    );

    await press(kariPage, 'Sign');
    await poll(() => kariPage.getByRole('status').first().textContent()).toContain('You have signed');
    await poll(() => progress(kariPage)).toContain('You have signed. Waiting for 1 more signer.');
    await checkPage(kariPage, 'ceremony-signed', width);
    // Still listed for Kari, with its state, until the job ends.
    await kariPage.goto(`${ps.baseUrl}/portal`);
    await poll(async () => {
      await kariPage.reload();
      return kariPage.getByRole('heading', { name: 'Signed by you, waiting for others' }).count();
    }).toBe(1);
    const kariItem = kariPage.locator('ul.jobs li', { hasText: title });
    expect(await kariItem.textContent()).toContain('Waiting for 1 more signer');
    // With its dates: when she signed, and the deadline of the group signing now.
    expect(await kariItem.locator('.item-dates').textContent()).toMatch(
      /^Signed by you: \d.+Deadline for the others: \d/,
    );
    await checkPage(kariPage, 'portal-signed-waiting', width);

    await staff.reload();
    await poll(async () => {
      await staff.reload();
      return signerRow('Kari Nordmann').locator('.signer-state').textContent();
    }).toBe('Signed');
    expect(await signerRow('Kari Nordmann').locator('.signer-history li').allTextContents()).toContainEqual(
      expect.stringMatching(/: signed$/),
    );
    await poll(async () => {
      await staff.reload();
      return signerRow('Ola Nordmann').locator('.signer-state').textContent();
    }).toBe('Has seen the documents'); // he opened the job before his group started
    await checkPage(staff, 'sender-job-status', width);

    await olaPage.reload();
    await poll(() => progress(olaPage)).toContain('It is your turn');
    expect(await progress(olaPage)).toContain('Group 2 of 2');
    await expectPagesVisible(olaPage, 2);
    await press(olaPage, 'Sign');
    await poll(() => progress(olaPage)).toContain('Everyone has signed');
    await waitForJob(ps, 'portal', job.id, (j) => j.status === 'COMPLETED_SUCCESSFULLY');

    // Once the signed document is sealed, Kari's list offers the download.
    await poll(async () => {
      await kariPage.reload();
      return kariPage
        .locator('ul.jobs li', { hasText: title })
        .getByRole('link', { name: 'Download the signed document' })
        .count();
    }).toBe(1);
    await checkPage(kariPage, 'portal-completed', width);
    await poll(async () => {
      await staff.reload();
      return signerRow('Ola Nordmann').locator('.signer-state').textContent();
    }).toBe('Signed');
    // One "viewed" per signer and session, however often the document was fetched.
    const views = await ps.stack.t.db
      .selectFrom('audit_events')
      .select('actor')
      .where('job_id', '=', job.id)
      .where('event', '=', 'DOCUMENT_VIEWED')
      .execute();
    expect(views.filter((v) => v.actor === `signer:${job.signers[0]!.id}`)).toHaveLength(1);
  });

  it('walks a direct job: progress, the pages at full width, back to the sender', {
    timeout: 180_000,
  }, async () => {
    const job = await createJob(
      ps,
      'direct',
      {
        title: `Loan agreement ${width}`,
        documents: [
          { title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' },
          { title: 'Terms', fileName: 'terms.txt', mimeType: 'text/plain' },
        ],
        signers: [{ personalIdentificationNumber: kari.pid }],
        exitUrls: exit.exitUrls,
      },
      {
        'contract.pdf': pdf,
        'terms.txt': `Interest: 4.5 %\n${'A long line of terms without breaks '.repeat(20)}\n`,
      },
    );
    const page = await personPage(width);
    await page.goto(job.signers[0]!.redirectUrl!);
    // The ceremony sends the signer to the login provider's TestID page first.
    await poll(() => page.url()).toContain('/interaction/');
    await checkPage(page, 'login', width);
    await providerLogin(page, ps.baseUrl, kari.pid, 4);
    await poll(() => page.locator('h1').textContent()).toBe(`Loan agreement ${width}`);
    expect(await progress(page)).toContain('you go back to Development Sender AS');
    await expectPagesVisible(page, 2);
    expect(await page.locator('pre').textContent()).toContain('Interest: 4.5 %');
    await checkPage(page, 'ceremony-direct', width);
    await press(page, 'Sign');
    await poll(() => page.url()).toContain(`${exit.exitUrls.completionUrl}?status_query_token=`);

    // The used link: an HTML page in the pages' style, saying how it went, with the way back to
    // the sender's site the signer came from (not to the signing portal).
    await page.goto(job.signers[0]!.redirectUrl!);
    expect(await page.locator('h1').textContent()).toBe('This link has been used or has expired');
    expect(await page.getByText('You have signed.').count()).toBe(1);
    const back = page.getByRole('link', { name: 'Back to Development Sender AS' });
    expect(await back.getAttribute('href')).toBe(exit.exitUrls.completionUrl);
    expect(await page.getByRole('link', { name: 'To your signature jobs' }).count()).toBe(0);
    await checkPage(page, 'link-used', width);
  });

  it('shows the new-job form mistakes at their fields, focuses the first and keeps the upload', {
    timeout: 180_000,
  }, async () => {
    const staff = await personPage(width);
    await staff.goto(`${ps.baseUrl}/sender/${ORG}/jobs/new`);
    await providerLogin(staff, ps.baseUrl, ingrid.pid, 4);
    await poll(() => staff.locator('h1').textContent()).toBe('New job');
    await checkPage(staff, 'sender-new-job', width);
    await staff
      .getByLabel('Documents')
      .setInputFiles({ name: 'agreement.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await staff.locator('#signer-0-identifier').fill('12345678901');
    await staff.locator('#signer-1-identifier').fill(ola.pid);
    await staff.locator('#signer-1-email').fill('not-an-address');
    await press(staff, 'Create job');

    await poll(() => staff.getByRole('alert').count()).toBe(1);
    const summary = await staff.getByRole('alert').textContent();
    expect(summary).toContain('Enter title.');
    expect(summary).toContain('Signer 1: This is not a valid national identity number.');
    expect(summary).toContain('Signer 2: This is not a valid e-mail address.');
    expect(summary).not.toMatch(/signers\[|personalIdentificationNumber|notifications\./);
    // At the field, tied to it, and the focus on the first mistake in the form's order.
    expect(await staff.locator('#title-error').textContent()).toBe('Enter title.');
    expect(await staff.locator('#title').getAttribute('aria-invalid')).toBe('true');
    expect(await staff.locator('#signer-0-identifier').getAttribute('aria-describedby')).toContain(
      'signer-0-identifier-error',
    );
    expect(await staff.evaluate(() => document.activeElement?.id)).toBe('title');
    // The file is kept: named on the form, and not needed again.
    expect(await staff.locator('.kept-files').textContent()).toContain('agreement.pdf');
    await checkPage(staff, 'sender-new-job-errors', width);

    const title = `Kept upload ${width}`;
    await staff.locator('#title').fill(title);
    await staff.locator('#signer-0-identifier').fill(kari.pid);
    await staff.locator('#signer-1-email').fill('ola@example.com');
    await staff.locator('#signer-1-order').fill('1');
    await press(staff, 'Create job');
    await poll(() => staff.getByRole('status').first().textContent()).toContain('The job has been created.');
    const jobId = /\/jobs\/([0-9a-f-]{36})/.exec(staff.url())![1]!;
    const docs = await ps.stack.t.db
      .selectFrom('documents')
      .select('file_name')
      .where('job_id', '=', jobId)
      .execute();
    expect(docs.map((d) => d.file_name)).toEqual(['agreement.pdf']);

    // The job list filters by status and searches titles.
    await staff.goto(`${ps.baseUrl}/sender/${ORG}?q=${encodeURIComponent(title)}`);
    expect(await staff.locator('tbody tr').count()).toBe(1);
    await staff.goto(`${ps.baseUrl}/sender/${ORG}?status=FAILED&q=${encodeURIComponent(title)}`);
    expect(await staff.getByText('No jobs match the search.').count()).toBe(1);
    await staff.goto(`${ps.baseUrl}/sender/${ORG}?status=IN_PROGRESS`);
    expect(await staff.getByRole('link', { name: title }).count()).toBe(1);
    await checkPage(staff, 'sender-job-list', width);
  });

  it('answers a browser with HTML error pages that lead on, and API clients with JSON', {
    timeout: 120_000,
  }, async () => {
    const page = await personPage(width);
    const unknown = await page.goto(`${ps.baseUrl}/no/such/page`);
    expect(unknown?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.getByRole('link', { name: 'To your signature jobs' }).count()).toBe(1);
    await checkPage(page, 'error-404', width);
    const api = await fetch(`${ps.baseUrl}/no/such/page`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');

    // A level-3 login may not download a level-4 job's signed document: a 403 page with a way on.
    const job = await createJob(
      ps,
      'portal',
      { ...portalJob(`Level ${width}`), signers: [portalJob('').signers[0]] },
      { 'contract.pdf': pdf },
    );
    const low = await personPage(width);
    // Logged in at level 3 through the portal (a login asked for at level 4 and answered at 3 is
    // refused at the callback instead), then following the download link.
    await low.goto(`${ps.baseUrl}/portal`);
    await providerLogin(low, ps.baseUrl, kari.pid, 3);
    await low.goto(`${ps.baseUrl}/sign/${job.id}/${job.signers[0]!.id}/signed.pdf`);
    await poll(() => low.locator('h1').textContent()).toBe('Security level 4 required');
    expect(await low.getByRole('link', { name: 'Log in at level 4' }).count()).toBe(1);
    expect(await low.getByRole('link', { name: 'To your signature jobs' }).count()).toBe(1);
    await checkPage(low, 'error-403-level', width);
  });
});
