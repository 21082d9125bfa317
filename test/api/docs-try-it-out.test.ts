/**
 * /docs works as a client: in Chromium, a sender authorises with an API key, opens the portal
 * flow's create operation, keeps the example `job` as Swagger UI fills it in, picks a PDF for the
 * example's document and executes; the service answers 201 and the job exists. The example's
 * signer is a person of the development test population, and it has no activation time.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { launchChromium } from '../helpers/browser/browser.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
let browser: Browser;
beforeAll(async () => {
  [stack, pdf, browser] = await Promise.all([startStack(), samplePdf(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('/docs "Try it out"', () => {
  it('creates a portal job from the example values and a picked PDF (201)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${stack.baseUrl}/docs`);
      await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });

      // Authorise with the sender's API key (the bearer scheme).
      await page.locator('.auth-wrapper .authorize').click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('input[type=text], input[type=password]').first().fill(stack.apiKey);
      await dialog.locator('button.modal-btn.authorize').first().click();
      await dialog.locator('button.btn-done').first().click();

      const op = page.locator('.opblock-post', {
        has: page.locator('.opblock-summary-path[data-path="/api/{org}/portal/signature-jobs"]'),
      });
      await op.locator('.opblock-summary').click();
      await op.getByRole('button', { name: 'Try it out' }).click();
      await op.locator('input[placeholder="org"]').fill(ORG);

      // The example job Swagger UI fills in: a test person, no activation time in the past.
      const jobField = op.locator('textarea').first();
      const example = JSON.parse(await jobField.inputValue()) as {
        signers: { personalIdentificationNumber?: string }[];
        documents: { fileName: string }[];
        availability?: { activationTime?: string };
      };
      const population = new Set(testPopulation.map((p) => p.pid));
      for (const s of example.signers)
        expect(population.has(s.personalIdentificationNumber ?? '')).toBe(true);
      expect(example.availability?.activationTime).toBeUndefined();
      expect(example.documents.map((d) => d.fileName)).toEqual(['contract.pdf']);

      await op
        .locator('input[type=file]')
        .first()
        .setInputFiles({ name: 'contract.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
      await op.getByRole('button', { name: 'Execute' }).click();

      const status = op.locator('.live-responses-table .response .response-col_status').first();
      await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('201');
      const body = JSON.parse(
        (await op.locator('.live-responses-table .response-col_description pre').first().textContent()) ?? '',
      ) as { id: string; title: string };
      expect(body.title).toBe('Employment contract');
      const read = await stack.api(`/api/${ORG}/portal/signature-jobs/${body.id}`);
      expect(read.status).toBe(200);
    } finally {
      await context.close();
    }
  });
});
