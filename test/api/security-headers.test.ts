/**
 * The headers every answer carries (api/http/security-headers.ts): answers with identity numbers (job
 * views, signer lists, the status queue, results, errors) are never cached or sniffed; /docs and
 * the pages allow scripts and styles from our own origin only and cannot be framed. Swagger UI is
 * loaded in Chromium to show that it works under its policy, with no violation reported.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NON_HTML_CSP } from '../../api/http/security-headers.js';
import { DOCS_CSP } from '../../api/json/docs.js';
import { createJob, devAct, directJob, eventually, follow, jobsPath } from '../helpers/api/http.js';
import { launchChromium } from '../helpers/browser/browser.js';
import { samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';

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

/** What every JSON answer must carry, whoever made it. */
function expectJsonHeaders(res: Response, what: string) {
  const h = res.headers;
  expect(h.get('content-type') ?? '', what).toMatch(/json|xml/);
  expect(
    {
      cache: h.get('cache-control'),
      sniff: h.get('x-content-type-options'),
      frame: h.get('x-frame-options'),
      csp: h.get('content-security-policy'),
      referrer: h.get('referrer-policy'),
    },
    what,
  ).toEqual({
    cache: 'no-store',
    sniff: 'nosniff',
    frame: 'DENY',
    csp: NON_HTML_CSP,
    referrer: 'same-origin',
  });
}

describe('answers of the sender API, which carry identity numbers', () => {
  it('are no-store and nosniff: job view, signers, status queue, results, errors', async () => {
    const job = await createJob(stack, 'direct', directJob(), { 'contract.pdf': pdf });
    const signer = job.signers[0]!;
    await devAct(stack, job.id, signer.id, 'sign');
    // Until the signed document is sealed (a few seconds after the last signature).
    const view = await eventually(
      () =>
        follow(stack, job.links.self).then((r) => r.json() as Promise<{ links: { pades: string | null } }>),
      (j) => j.links.pades !== null,
    );

    const answers: [string, Response][] = [
      ['job view', await follow(stack, job.links.self)],
      ['status queue', await stack.api(`${jobsPath('direct')}?polling_queue=`)],
      ['callback log', await follow(stack, `${job.links.self}/callbacks`)],
      [
        'signer update',
        await follow(stack, `${job.links.self}/signers/${signer.id}/redirect-url`, { method: 'POST' }),
      ],
      ['missing job (404)', await stack.api(`${jobsPath('direct')}/00000000-0000-4000-8000-000000000000`)],
      ['no key (401)', await fetch(`${stack.baseUrl}${jobsPath('direct')}`)],
      ['bad body (400)', await stack.api(jobsPath('direct'), { method: 'POST', body: 'x' })],
    ];
    for (const [what, res] of answers) {
      expectJsonHeaders(res, what);
      await res.arrayBuffer();
    }
    // The identity number is really in what was answered (so the headers guard something).
    const body = JSON.stringify(await (await follow(stack, job.links.self)).json());
    expect(body).toContain(signer.signer);

    // The signed document and the signer's XAdES: personal data too, never cached.
    const pades = await follow(stack, view.links.pades!);
    expect([
      pades.status,
      pades.headers.get('cache-control'),
      pades.headers.get('x-content-type-options'),
    ]).toEqual([200, 'no-store', 'nosniff']);
    await pades.arrayBuffer();
  });
});

describe('/docs', () => {
  it('has a policy of its own origin, no inline code, and cannot be framed', async () => {
    const res = await fetch(`${stack.baseUrl}/docs`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(DOCS_CSP);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style>|style=|on\w+=/);
  });

  it('Swagger UI renders the API under that policy in Chromium, with no violation', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`Refused to load (CSP): ${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      await page.goto(`${stack.baseUrl}/docs`);
      await expect
        .poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 20_000 })
        .toContain('E-signing');
      // An operation opens (the UI's own scripts and styles at work).
      await page.locator('.opblock-summary').first().click();
      await expect.poll(() => page.locator('.opblock-body').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('pages and other answers', () => {
  it('a page and the HTML 404 page cannot be framed and load from our origin only', async () => {
    for (const [what, res] of [
      ['portal', await fetch(`${stack.baseUrl}/portal`, { redirect: 'manual' })],
      ['html 404', await fetch(`${stack.baseUrl}/no-such-page`, { headers: { accept: 'text/html' } })],
    ] as const) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, what).toContain("frame-ancestors 'none'");
      expect(csp, what).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options'), what).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), what).toBe('same-origin');
      expect(res.headers.get('cache-control'), what).toBe('no-store');
      await res.arrayBuffer();
    }
  });

  it('health, the API reference and verification answers carry the same defaults', async () => {
    expectJsonHeaders(await fetch(`${stack.baseUrl}/healthz`), 'healthz');
    expectJsonHeaders(await fetch(`${stack.baseUrl}/openapi.json`), 'openapi.json');
    expectJsonHeaders(
      await fetch(`${stack.baseUrl}/api/verify`, { method: 'POST', body: 'not a document' }),
      'verify',
    );
  });
});
