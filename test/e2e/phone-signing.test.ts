/**
 * Signing a long document on a phone (390 px, device pixel ratio 3) and on a desktop (1280 px),
 * in Debian's Chromium against the real stack: a 24-page contract made with pdf-lib (real text)
 * is read with its body text at least 12 CSS px (reading mode on the phone, the pages with their
 * text layer on the desktop), sharp when zoomed (the canvas drawn at CSS width × zoom × device
 * pixel ratio), "Page n of N" following the scroll, the bar with Sign and Reject in the screen at
 * the top, the middle and the end, the viewer no longer busy once loaded, and the page updating
 * itself after the last signature. Three documents show "Document n of N", their marks (opened
 * from the recorded views, then signed) and lead from one to the next. axe on each.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { seriousAxeViolations } from '../helpers/browser/axe.js';
import { launchChromium, providerLogin, SCREENSHOT_DIR } from '../helpers/browser/browser.js';
import { createJob, waitForJob } from '../helpers/browser/jobs.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 });
const kari = testPopulation[0]!;
const ola = testPopulation[1]!;

const SENTENCE =
  'The parties agree that the tenant pays the rent on the first working day of each month and keeps the flat in good order. ';

/** An A4 page's worth of body text at 11 pt in lines that fit the margins. */
function bodyLines(font: PDFFont, clause: number): string[] {
  const words = `${`Clause ${clause}. `}${SENTENCE.repeat(9)}`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, 11) > 451) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** A contract of `pages` A4 pages: a 16 pt heading and 11 pt body text on each. */
async function contractPdf(name: string, pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`${name}, section ${n}`, { x: 72, y: 770, size: 16, font: bold });
    let y = 740;
    for (const paragraph of [0, 1, 2]) {
      for (const line of bodyLines(font, n * 10 + paragraph)) {
        page.drawText(line, { x: 72, y, size: 11, font });
        y -= 15;
      }
      y -= 12;
    }
  }
  return doc.save();
}

let ps: PagesStack;
let browser: Browser;
let long: Uint8Array;
let three: Uint8Array[];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [ps, browser, long, ...three] = await Promise.all([
    startPagesStack(),
    launchChromium(),
    contractPdf('Lease', 24),
    contractPdf('Contract', 3),
    contractPdf('Appendix', 2),
    contractPdf('House rules', 2),
  ]);
});
afterEach(() => {
  expect(scriptErrors.splice(0)).toEqual([]);
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await ps?.stop();
});

/** A phone is 390 px wide at 3 device pixels per CSS pixel; the desktop 1280 px at 1. */
async function signerPage(width: number): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width, height: width < 600 ? 844 : 900 },
    deviceScaleFactor: width < 600 ? 3 : 1,
  });
  contexts.push(context);
  const page = await context.newPage();
  // Whatever the viewer script throws or logs as an error fails the test at its end.
  page.on('pageerror', (err) => scriptErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) scriptErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) scriptErrors.push(`${r.status()} ${r.url()}`);
  });
  return page;
}
const scriptErrors: string[] = [];

async function openAsSigner(width: number, pid: string, jobId: string, signerId: string): Promise<Page> {
  const page = await signerPage(width);
  await page.goto(`${ps.baseUrl}/sign/${jobId}/${signerId}`);
  await providerLogin(page, ps.baseUrl, pid, 4);
  await poll(() => page.getByRole('button', { name: 'Sign', exact: true }).count()).toBe(1);
  return page;
}

/** The screen as the signer sees it (a full-page picture of 24 pages at 3× is too large). */
async function viewportShot(page: Page, name: string) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

const bar = (page: Page) => page.locator('section.action-bar');
const where = (page: Page) => page.locator('section.action-bar .where').textContent();

/** The bar and its Sign button lie wholly inside the screen. */
async function expectBarInView(page: Page, at: string) {
  const height = page.viewportSize()!.height;
  for (const box of [
    await bar(page).boundingBox(),
    await page.getByRole('button', { name: 'Sign', exact: true }).boundingBox(),
  ]) {
    expect(box, at).not.toBeNull();
    expect(box!.y, at).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height, at).toBeLessThanOrEqual(height + 1);
  }
}

const scrollPage = (page: Page, where: 'top' | 'middle' | 'end') =>
  page.evaluate((w) => {
    const max = document.documentElement.scrollHeight - innerHeight;
    scrollTo(0, w === 'top' ? 0 : w === 'middle' ? max / 2 : max);
  }, where);

/** The rendered height of the body text (the median of its lines), in CSS px. */
const textHeight = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const heights = Array.from(document.querySelectorAll(sel))
      .filter((el) => (el.textContent ?? '').trim().length > 20)
      .map((el) => {
        const style = getComputedStyle(el);
        // A text layer's span is scaled by its transform; a paragraph's size is its font size.
        return el.closest('.textLayer')
          ? el.getBoundingClientRect().height
          : Number.parseFloat(style.fontSize);
      })
      .sort((a, b) => a - b);
    return heights[Math.floor(heights.length / 2)] ?? 0;
  }, selector);

describe.each([390, 1280])('at %i px', (width) => {
  const phone = width < 600;

  it('reads a 24-page contract at a readable size with the bar always in view, signs it, and updates itself', {
    timeout: 240_000,
  }, async () => {
    const job = await createJob(
      ps,
      'portal',
      {
        title: `Lease ${width}`,
        documents: [{ title: 'Lease', fileName: 'lease.pdf', mimeType: 'application/pdf' }],
        signers: [
          { personalIdentificationNumber: kari.pid, notifications: { email: 'kari@example.com' } },
          { personalIdentificationNumber: ola.pid, notifications: { email: 'ola@example.com' } },
        ],
      },
      { 'lease.pdf': long },
    );
    const page = await openAsSigner(width, kari.pid, job.id, job.signers[0]!.id);
    const view = page.locator('.pdf-view');
    await poll(() => view.getAttribute('aria-busy')).toBe('false');
    expect(scriptErrors).toEqual([]);
    expect(await page.locator('.page-count').textContent()).toBe('24 pages');
    // The first view: reading mode on the phone (the pages would be too small), pages on the desktop.
    const tools = page.locator('.viewer-tools');
    const pressed = () => tools.locator('[aria-pressed=true]').textContent();
    expect(await tools.isVisible()).toBe(true);
    if (phone) {
      expect(await pressed()).toBe('Text');
      expect(await page.locator('#view-note').textContent()).toMatch(
        /^Reading mode: .* too small on this screen/,
      );
      expect(await page.locator('.reading .text-page').count()).toBe(24);
      expect(await page.locator('.reading').textContent()).toContain('Lease, section 24');
      expect(await textHeight(page, '.reading .text-page p')).toBeGreaterThanOrEqual(12);
    } else {
      expect(await pressed()).toBe('Pages');
      expect(await page.locator('#view-note').textContent()).toBe(
        'The pages as they are signed. “Text” shows the text at a readable size (reading mode).',
      );
      await poll(() => page.locator('.pdf-page .textLayer span').count()).toBeGreaterThan(20);
      await poll(() => page.locator('.pdf-page').first().locator('.textLayer').textContent()).toContain(
        'Clause 10.',
      );
      expect(await textHeight(page, '.pdf-page .textLayer span')).toBeGreaterThanOrEqual(12);
    }
    // Only the pages near the screen are drawn: not all 24 at once.
    if (!phone) {
      const drawn = await page
        .locator('.pdf-page canvas')
        .evaluateAll((cs) => cs.filter((c) => (c as HTMLCanvasElement).width > 0).length);
      expect(drawn).toBeGreaterThan(0);
      expect(drawn).toBeLessThan(24);
    }
    expect(await where(page)).toBe('Page 1 of 24');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await viewportShot(page, `phone-signing-top-${width}`);

    for (const at of ['top', 'middle', 'end'] as const) {
      await scrollPage(page, at);
      await expectBarInView(page, at);
    }
    // At the end nothing lies under the bar: the last line before it ends above it.
    const lastBeforeBar = (await page.getByRole('link', { name: 'To your signature jobs' }).boundingBox())!;
    expect(lastBeforeBar.y + lastBeforeBar.height).toBeLessThanOrEqual((await bar(page).boundingBox())!.y);

    // "Page n of N" follows the scroll.
    const pageSelector = phone ? '.reading .text-page' : '.pdf-page';
    await page
      .locator(pageSelector)
      .nth(11)
      .evaluate((el) => el.scrollIntoView());
    await poll(() => where(page)).toBe('Page 12 of 24');
    await expectBarInView(page, 'page 12');
    await page
      .locator(pageSelector)
      .nth(4)
      .evaluate((el) => el.scrollIntoView());
    await poll(() => where(page)).toBe('Page 5 of 24');

    // The pages view, zoomed in: the text layer's text grows, the canvas is drawn for the new size.
    await page.getByRole('button', { name: 'Pages' }).click();
    expect(await pressed()).toBe('Pages');
    for (let i = 0; i < (phone ? 3 : 1); i++) await page.getByRole('button', { name: 'Larger' }).click();
    await poll(() => page.locator('.zoom-level').textContent()).toBe(phone ? '200 %' : '125 %');
    await poll(() => where(page)).toBe('Page 5 of 24'); // the same place, in the other view
    const fifth = page.locator('.pdf-page').nth(4);
    await poll(() =>
      fifth.evaluate((box) => {
        const canvas = box.querySelector('canvas') as HTMLCanvasElement;
        return Math.abs(canvas.width - box.getBoundingClientRect().width * devicePixelRatio) <= 2;
      }),
    ).toBe(true);
    await poll(() => fifth.locator('.textLayer span').count()).toBeGreaterThan(20);
    expect(await textHeight(page, '.pdf-page:nth-child(5) .textLayer span')).toBeGreaterThanOrEqual(12);
    // Wider than the screen now: the pages pan sideways inside their box, the page itself does not.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await expectBarInView(page, 'zoomed');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await viewportShot(page, `phone-signing-zoomed-${width}`);

    // Signed from the bar, by keyboard: Tab from the last link before it reaches Sign.
    await page.getByRole('link', { name: 'To your signature jobs' }).focus();
    const focused = () => page.evaluate(() => document.activeElement?.textContent);
    const stops: (string | null | undefined)[] = [];
    for (let i = 0; i < 8 && (await focused()) !== 'Sign'; i++) {
      await page.keyboard.press('Tab');
      stops.push(await focused());
    }
    // The bar's own controls, then Sign: the view, the size, and the button.
    expect(stops).toEqual(['Text', 'Pages', '−', '+', 'Sign']);
    await page.keyboard.press('Enter');
    await poll(() => page.locator('section.progress').first().getAttribute('data-stage')).toBe(
      'SIGNED_WAITING',
    );
    expect(await page.locator('[data-updates-itself]').textContent()).toBe('This page updates itself.');

    // Ola signs elsewhere; Kari's page, untouched, reaches the completed state on its own.
    const signed = await ps.api(`/api/dev/signature-jobs/${job.id}/signers/${job.signers[1]!.id}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"authenticationLevel":4}',
    });
    expect(signed.status).toBe(200);
    await waitForJob(ps, 'portal', job.id, (j) => j.status === 'COMPLETED_SUCCESSFULLY');
    await poll(() => page.locator('section.progress').first().getAttribute('data-stage')).toBe('COMPLETED');
    await poll(() => view.getAttribute('aria-busy')).toBe('false');
    expect(await page.getByRole('button', { name: 'Sign', exact: true }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('shows three documents as "Document n of N" with their marks, and leads from one to the next', {
    timeout: 240_000,
  }, async () => {
    const titles = ['Contract', 'Appendix', 'House rules'];
    const job = await createJob(
      ps,
      'portal',
      {
        title: `Three documents ${width}`,
        documents: titles.map((title, i) => ({
          title,
          fileName: `doc${i}.pdf`,
          mimeType: 'application/pdf',
        })),
        signers: [{ personalIdentificationNumber: kari.pid, notifications: { email: 'kari@example.com' } }],
      },
      { 'doc0.pdf': three[0]!, 'doc1.pdf': three[1]!, 'doc2.pdf': three[2]! },
    );
    const page = await openAsSigner(width, kari.pid, job.id, job.signers[0]!.id);
    const items = page.locator('nav.doc-list li');
    expect(await items.count()).toBe(3);
    const item = (i: number) => items.nth(i);
    for (let i = 0; i < 3; i++) {
      expect(await item(i).locator('a').textContent()).toBe(`Document ${i + 1} of 3 ${titles[i]}`);
    }
    // The first is fetched (and its opening recorded) as it is in view; the others not yet.
    await poll(() => item(0).locator('.doc-mark').textContent()).toBe('Opened');
    expect(await item(1).locator('.doc-mark').textContent()).toBe('Not opened yet');
    expect(await item(2).getAttribute('data-doc-mark')).toBe('NOT_OPENED');
    expect(await page.locator('section.document').first().locator('.doc-n').textContent()).toBe(
      'Document 1 of 3',
    );
    await poll(() => where(page)).toBe('Document 1 of 3 · Page 1 of 3');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await viewportShot(page, `phone-signing-documents-${width}`);

    // From the list to the third: it is drawn, and the bar says where the reader is.
    // By keyboard: the link, reached behind the bar, is first moved above it.
    await item(2).locator('a').focus();
    const link = (await item(2).locator('a').boundingBox())!;
    expect(link.y + link.height).toBeLessThanOrEqual((await bar(page).boundingBox())!.y);
    await page.keyboard.press('Enter');
    const third = page.locator('section.document').nth(2);
    await poll(() => third.locator('.pdf-view').getAttribute('aria-busy')).toBe('false');
    await poll(() => item(2).locator('.doc-mark').textContent()).toBe('Opened');
    await poll(() => where(page)).toMatch(/^Document 3 of 3 · Page 1 of 2$/);
    await expectBarInView(page, 'document 3');
    // Each document leads on to the next.
    expect(await page.locator('section.document').first().locator('.next-doc a').textContent()).toBe(
      'Next document: Appendix',
    );
    expect(await third.locator('.next-doc').count()).toBe(0);

    // The marks come from the recorded views: after a reload, without scrolling, 1 and 3 opened.
    await page.reload();
    await poll(() => item(0).getAttribute('data-doc-mark')).toBe('OPENED');
    expect(await item(1).getAttribute('data-doc-mark')).toBe('NOT_OPENED');
    expect(await item(2).getAttribute('data-doc-mark')).toBe('OPENED');

    await page.getByRole('button', { name: 'Sign', exact: true }).focus();
    await page.keyboard.press('Enter');
    await waitForJob(ps, 'portal', job.id, (j) => j.status === 'COMPLETED_SUCCESSFULLY');
    await poll(async () => {
      await page.reload();
      return items.locator('.doc-mark').allTextContents();
    }).toEqual(['Signed by you', 'Signed by you', 'Signed by you']);
    expect(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-doc-mark')))).toEqual([
      'SIGNED',
      'SIGNED',
      'SIGNED',
    ]);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

describe('without scripts', () => {
  it('keeps the link to the PDF and the sign form', { timeout: 120_000 }, async () => {
    const job = await createJob(
      ps,
      'portal',
      {
        title: 'No scripts',
        documents: [{ title: 'Lease', fileName: 'lease.pdf', mimeType: 'application/pdf' }],
        signers: [{ personalIdentificationNumber: kari.pid, notifications: { email: 'kari@example.com' } }],
      },
      { 'lease.pdf': long },
    );
    const context = await browser.newContext({
      locale: 'en-GB',
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${ps.baseUrl}/sign/${job.id}/${job.signers[0]!.id}`);
    await providerLogin(page, ps.baseUrl, kari.pid, 4);
    const open = page.getByRole('link', { name: 'Open “Lease” in a new tab' });
    expect(await open.count()).toBe(1);
    const res = await page.request.get(`${ps.baseUrl}${await open.getAttribute('href')}`);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect(await page.locator('.viewer-tools').isVisible()).toBe(false);
    await expectBarInView(page, 'no scripts');
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await waitForJob(ps, 'portal', job.id, (j) => j.status === 'COMPLETED_SUCCESSFULLY');
  });
});
