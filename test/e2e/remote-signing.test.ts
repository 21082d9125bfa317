/**
 * Advanced signatures at remote signing services (SIGNING_KEYS=csc) in Debian's Chromium against
 * the real stack and two local CSC v2 providers (BankID, Buypass): two signers each approve at
 * their provider, the job completes, and its XAdES and PAdES validate in our verifier and the
 * outside validators, the signers' certificates chained to the providers' CAs. A provider that
 * refuses, does not answer, hands out another person's certificate or signs another digest
 * leaves the signer waiting with a page that says so and leads back.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../src/billing/prices.js';
import { quarterContaining } from '../../src/billing/quarter.js';
import { quarterlyReport } from '../../src/billing/report.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { verifyPdfSignatures, verifyXades } from '../../src/signing/index.js';
import { launchChromium, providerLogin, screenshot } from '../helpers/browser/browser.js';
import { type ExitServer, startExitServer } from '../helpers/browser/exit-server.js';
import { createJob, readJob, waitForJob } from '../helpers/browser/jobs.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';
import {
  nssDatabase,
  pdfsig,
  pdftotext,
  requireTools,
  run,
  scratchDir,
  writeTemp,
} from '../signing/validators.js';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

const kari = testPopulation[0]!;
const ola = testPopulation[1]!;

let ps: PagesStack;
let browser: Browser;
let exit: ExitServer;
let pdf: Uint8Array;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  requireTools();
  [ps, browser, exit, pdf] = await Promise.all([
    startPagesStack({ cscProviders: ['BankID', 'Buypass'] }),
    launchChromium(),
    startExitServer(),
    samplePdf(),
  ]);
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await exit?.close();
  await ps?.stop();
});
afterEach(() => {
  for (const p of ps.stack.csc.values()) p.behaviour = 'normal';
});

const provider = (name: string) => ps.stack.csc.get(name)!;

async function personPage() {
  const context = await browser.newContext({ locale: 'en-GB' });
  contexts.push(context);
  return context.newPage();
}

/** A direct job asking each person for an advanced signature. */
function advancedJob(pids: string[]) {
  return createJob(
    ps,
    'direct',
    {
      title: 'Purchase of the boat',
      documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
      signers: pids.map((pid) => ({
        personalIdentificationNumber: pid,
        signatureType: 'ADVANCED_SIGNATURE',
      })),
      exitUrls: exit.exitUrls,
    },
    { 'contract.pdf': pdf },
  );
}

/** Opens the signer's redirect URL, logs in and presses "Sign with <provider>": off to the provider. */
async function toProvider(page: Page, redirectUrl: string, pid: string, providerName: string) {
  await page.goto(redirectUrl);
  await providerLogin(page, ps.baseUrl, pid, 4);
  await poll(() => page.locator('h1').textContent()).toBe('Purchase of the boat');
  const button = page.getByRole('button', { name: `Sign with ${providerName}` });
  await button.focus();
  await page.keyboard.press('Enter');
}

/** At the provider's approval page: who signs is shown; then approve or refuse. */
async function decide(page: Page, providerName: string, name: string, decision: 'Approve' | 'Refuse') {
  await page.waitForURL(`${provider(providerName).baseUrl}/oauth2/authorize**`);
  expect(await page.getByTestId('csc-person').textContent()).toBe(name);
  expect(await page.getByTestId('csc-purpose').textContent()).toContain('Purchase of the boat');
  await page.getByRole('button', { name: decision }).click();
}

const signerStatus = async (jobId: string, signerId: string) =>
  (await readJob(ps, 'direct', jobId)).signers.find((s) => s.id === signerId)!.status;

const auditOf = (jobId: string, event: string) =>
  ps.stack.t.db
    .selectFrom('audit_events')
    .select(['event', 'details'])
    .where('job_id', '=', jobId)
    .where('event', '=', event)
    .execute();

describe('advanced signatures at remote signing services', () => {
  it('two people approve at their providers; the job completes and its signatures validate', async () => {
    const job = await advancedJob([kari.pid, ola.pid]);
    const people = [
      { person: kari, providerName: 'BankID', signer: job.signers[0]! },
      { person: ola, providerName: 'Buypass', signer: job.signers[1]! },
    ];
    for (const { person, providerName, signer } of people) {
      const page = await personPage();
      await toProvider(page, signer.redirectUrl!, person.pid, providerName);
      await decide(page, providerName, person.name, 'Approve');
      await poll(() => page.url()).toContain(`${exit.exitUrls.completionUrl}?status_query_token=`);
    }
    await waitForJob(ps, 'direct', job.id, (j) => j.status === 'COMPLETED_SUCCESSFULLY');

    // The audit trail names the provider, the credential and the certificate of each signature.
    const signed = await auditOf(job.id, 'SIGNED_IN_BROWSER');
    expect(signed.map((s) => (s.details as { signingProvider: string }).signingProvider).sort()).toEqual([
      'BankID',
      'Buypass',
    ]);
    for (const s of signed) {
      expect(s.details).toMatchObject({
        credentialId: expect.any(String),
        certificate: { subject: expect.stringContaining('UN:NO-'), issuer: expect.any(String) },
      });
    }

    // Usage: each advanced signature's add-on billed for its provider, at the seed's price.
    await poll(async () =>
      (
        await ps.stack.t.db
          .selectFrom('usage_events')
          .select(['kind', 'provider', 'unit_price_ore'])
          .where('job_id', '=', job.id)
          .where('kind', '=', 'ADVANCED_SIGNATURE')
          .orderBy('provider')
          .execute()
      ).map((e) => [e.provider, e.unit_price_ore]),
    ).toEqual([
      ['BankID', DEFAULT_PRICES.ADVANCED_SIGNATURE],
      ['Buypass', DEFAULT_PRICES.ADVANCED_SIGNATURE],
    ]);
    const report = await quarterlyReport(ps.stack.t.db, {
      quarter: quarterContaining(new Date()).label,
      org: ORG,
    });
    const advanced = report.organisations[0]!.lines.filter((l) => l.kind === 'ADVANCED_SIGNATURE');
    expect(advanced.map((l) => [l.description, l.events, l.amountOre])).toEqual([
      ['Advanced signature (BankID)', 1, 100],
      ['Advanced signature (Buypass)', 1, 100],
    ]);

    const root = ps.stack.signing.pki.roots[0]!;
    const anchors = [root, provider('BankID').caCertificate, provider('Buypass').caCertificate];
    const dir = scratchDir('remote-signing');
    for (const { person, providerName, signer } of people) {
      const res = await ps.api(`/api/${ORG}/direct/signature-jobs/${job.id}/signers/${signer.id}/xades`);
      expect(res.status).toBe(200);
      const xades = new Uint8Array(await res.arrayBuffer());
      const report = await verifyXades(xades, anchors, {
        documents: [{ fileName: 'contract.pdf', bytes: pdf }],
      });
      expect(report.problems).toEqual([]);
      expect(report.valid).toBe(true);
      expect(report.signatures[0]!.certificateSubject).toBe(person.name);
      // Not trusted without the provider's CA: the person's key is the provider's, not ours.
      expect((await verifyXades(xades, [root])).valid).toBe(false);
      const out = run('xmlsec1', [
        '--verify',
        '--trusted-pem',
        writeTemp(dir, 'root.pem', root.toString('pem')),
        '--trusted-pem',
        writeTemp(dir, `${providerName}.pem`, provider(providerName).caCertificate.toString('pem')),
        writeTemp(dir, `${providerName}.xml`, xades),
      ]);
      expect(out).toMatch(/OK/);
      // The service's own verifier trusts the providers' CAs by configuration (CSC_<NAME>_CA_FILE).
      const verified = await fetch(`${ps.baseUrl}/api/verify`, { method: 'POST', body: xades });
      expect(verified.status).toBe(200);
      expect(await verified.json()).toMatchObject({ valid: true, problems: [] });
    }
    const padesRes = await ps.api(`/api/${ORG}/direct/signature-jobs/${job.id}/pades`);
    expect(padesRes.status).toBe(200);
    const pades = new Uint8Array(await padesRes.arrayBuffer());
    const padesReport = await verifyPdfSignatures(pades, anchors, { includeAttachments: true });
    expect(padesReport.problems).toEqual([]);
    expect(padesReport.valid).toBe(true);
    const padesPath = writeTemp(dir, 'signed.pdf', pades);
    // The signature page names the signing service of each advanced signature (the job is in Norwegian).
    const text = pdftotext(padesPath);
    expect(text).toMatch(/Signeringstjeneste: BankID/);
    expect(text).toMatch(/Signeringstjeneste: Buypass/);
    const rootPem = root.toString('pem');
    expect(pdfsig(padesPath, nssDatabase(dir, rootPem))).toMatch(/Signature Validation: Signature is Valid/);
    const python = resolve('.tools/venv/bin/python');
    const hanko = spawnSync(
      python,
      [join('test', 'signing', 'pyhanko_validate.py'), padesPath, writeTemp(dir, 'root-hanko.pem', rootPem)],
      { encoding: 'utf8' },
    );
    expect(hanko.stderr).toBe('');
    const first = JSON.parse(hanko.stdout.trim().split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ intact: true, valid: true, trusted: true, bottom_line: true });
  });

  const failures = [
    {
      name: 'refuses at the provider',
      setUp: () => {},
      decision: 'Refuse' as const,
      text: 'You refused the signature at BankID',
    },
    {
      name: 'does not answer',
      setUp: () => {
        provider('BankID').behaviour = 'hang';
      },
      decision: 'Approve' as const,
      text: 'BankID did not answer',
    },
    {
      name: 'signs another digest',
      setUp: () => {
        provider('BankID').behaviour = 'wrong-digest';
      },
      decision: 'Approve' as const,
      text: 'did not match the documents you approved',
    },
  ];
  for (const failure of failures) {
    it(`a provider that ${failure.name} leaves the signer waiting with a page that leads back`, async () => {
      const job = await advancedJob([kari.pid]);
      const signer = job.signers[0]!;
      const page = await personPage();
      await toProvider(page, signer.redirectUrl!, kari.pid, 'BankID');
      failure.setUp();
      await decide(page, 'BankID', kari.name, failure.decision);
      await poll(() => page.locator('h1').textContent()).toBe('The signature was not made');
      expect(await page.locator('main').textContent()).toContain(failure.text);
      await screenshot(page, `remote-signing-${failure.name.replace(/\W+/g, '-')}`);
      expect(await signerStatus(job.id, signer.id)).toBe('WAITING');
      expect(await auditOf(job.id, 'REMOTE_SIGNING_FAILED')).toHaveLength(1);
      const xades = await ps.stack.t.db
        .selectFrom('artifacts')
        .select('sha256')
        .where('job_id', '=', job.id)
        .execute();
      expect(xades).toEqual([]);

      // The way back: the document again, and signing now works.
      provider('BankID').behaviour = 'normal';
      await page.getByRole('link', { name: 'Back to the document' }).click();
      await poll(() => page.locator('h1').textContent()).toBe('Purchase of the boat');
      await page.getByRole('button', { name: 'Sign with BankID' }).click();
      await decide(page, 'BankID', kari.name, 'Approve');
      await poll(() => page.url()).toContain(`${exit.exitUrls.completionUrl}?status_query_token=`);
      expect(await signerStatus(job.id, signer.id)).toBe('SIGNED');
    });
  }

  it("a provider that hands out another person's certificate is refused before the approval", async () => {
    const job = await advancedJob([ola.pid]);
    const signer = job.signers[0]!;
    const page = await personPage();
    provider('Buypass').behaviour = 'other-person';
    await toProvider(page, signer.redirectUrl!, ola.pid, 'Buypass');
    await poll(() => page.locator('h1').textContent()).toBe('The signature was not made');
    expect(await page.locator('main').textContent()).toContain(
      'The signing certificate from Buypass is not yours',
    );
    expect(await signerStatus(job.id, signer.id)).toBe('WAITING');
    const failed = await auditOf(job.id, 'REMOTE_SIGNING_FAILED');
    expect(failed.map((f) => f.details)).toEqual([
      expect.objectContaining({ provider: 'Buypass', failure: 'wrong-person' }),
    ]);
    // Nothing was sent to the provider for approval.
    expect(await auditOf(job.id, 'REMOTE_SIGNING_STARTED')).toEqual([]);
  });

  it('a callback without a pending signing (replayed, forged) signs nothing', async () => {
    const res = await fetch(`${ps.baseUrl}/sign/remote-signing/callback?state=forged&code=x`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(410);
  });
});
