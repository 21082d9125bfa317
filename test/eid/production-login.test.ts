/**
 * The production entry points with a real login: `npm run build`, then `node dist/api/main.js`
 * and `node dist/worker/main.js` with APP_ENV=production and EID_PROVIDER=oidc against the local
 * provider run as its own process (`tsx src/dev/oidc-main.ts`: development harnesses are not
 * built), and SIGNING_KEYS=csc against the local remote signing services run as theirs
 * (`tsx src/dev/csc-main.ts`). A
 * direct job is signed in Chromium, by one signer after a login on the provider's page and by an
 * advanced signer who also approves at BankID, and runs to completion. Without the OIDC variables,
 * or with SIGNING_KEYS=test, the API stops at start-up with a message naming them (exit 78).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProviderEnv } from '../../src/dev/oidc-provider.js';
import { projectRoot } from '../../src/dev/tools.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { seedDevSender } from '../../src/runtime.js';
import { launchChromium, providerLogin } from '../helpers/browser/browser.js';
import { type ExitServer, startExitServer } from '../helpers/browser/exit-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { type ServiceProcess, startServiceProcess, until, waitForHttp } from '../helpers/processes.js';
import { createForm, samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';
import { devServerEnv } from '../helpers/temporal.js';

const kari = testPopulation[0]!;
const ola = testPopulation[1]!;

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let dataDir: string;
let browser: Browser;
let exit: ExitServer;
let baseUrl: string;
let issuer: string;
let common: Record<string, string>;
/** SIGNING_KEYS=csc and the CSC_* variables of the local providers, their CAs in files. */
let cscEnv: Record<string, string>;
const apiKey = `key-${randomUUID()}`;
const processes: ServiceProcess[] = [];

function npmRunBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b));
    child.stderr.on('data', (b: Buffer) => (output += b));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build: ${code}\n${output}`)),
    );
  });
}

beforeAll(async () => {
  const apiPort = await freePort();
  baseUrl = `http://127.0.0.1:${apiPort}`;
  [env, t, dataDir, browser, exit] = await Promise.all([
    devServerEnv(),
    createTestDatabase(),
    mkdtemp(join(tmpdir(), 'esign-production-login-')),
    launchChromium(),
    startExitServer(),
    npmRunBuild(),
  ]);
  await seedDevSender(t.db, ORG, apiKey);

  const oidcPort = await freePort();
  const oidc = startServiceProcess('oidc', 'src/dev/oidc-main.ts', {
    OIDC_PORT: String(oidcPort),
    PUBLIC_URL: baseUrl,
  });
  processes.push(oidc);
  issuer = `http://127.0.0.1:${oidcPort}`;
  await waitForHttp(`${issuer}/.well-known/openid-configuration`, oidc);

  const csc = startServiceProcess('csc', 'src/dev/csc-main.ts', { CSC_PORT: '0', PUBLIC_URL: baseUrl });
  processes.push(csc);
  const started = await until(
    'the local CSC providers',
    async () => {
      const line = csc
        .stdout()
        .split('\n')
        .find((l) => l.includes('local CSC providers listening'));
      return line
        ? (JSON.parse(line) as { env: Record<string, string>; caCertificates: Record<string, string> })
        : undefined;
    },
    60_000,
    200,
  );
  cscEnv = { ...started.env };
  for (const [name, pem] of Object.entries(started.caCertificates)) {
    const file = join(dataDir, `${name}-ca.pem`);
    await writeFile(file, pem);
    cscEnv[`CSC_${name.toUpperCase()}_CA_FILE`] = file;
  }

  common = {
    APP_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    PUBLIC_URL: baseUrl,
    DATABASE_URL: t.url,
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `production-login-${randomUUID()}`,
    SMS_GATEWAY: 'dev',
    CONTACT_REGISTER: 'dev',
    DIGITAL_MAILBOX: 'dev',
    CALLBACK_ALLOW_PRIVATE_TARGETS: 'loopback',
    METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
    RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'info',
  };
}, 600_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await browser?.close();
  await exit?.close();
  await env?.teardown();
  await t?.db.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the production entry points with OpenID Connect login', () => {
  it('refuses to start without the OIDC variables, naming them (exit 78)', async () => {
    const api = startServiceProcess('api-without-oidc', 'dist/api/main.js', common);
    processes.push(api);
    expect(await api.exited).toBe(78);
    expect(api.output()).toMatch(/OIDC_ISSUER: missing/);
    expect(api.output()).toMatch(/OIDC_CLIENT_ID: missing/);
    expect(api.output()).toMatch(/OIDC_CLIENT_SECRET or OIDC_CLIENT_PRIVATE_KEY_FILE: missing/);
  }, 60_000);

  it("refuses the test eID's signing keys in production, naming SIGNING_KEYS (exit 78)", async () => {
    const api = startServiceProcess('api-with-test-keys', 'dist/api/main.js', {
      ...common,
      ...localProviderEnv(issuer),
      SIGNING_KEYS: 'test',
    });
    processes.push(api);
    expect(await api.exited).toBe(78);
    expect(api.output()).toMatch(/SIGNING_KEYS: test keys are for development and tests/);
  }, 60_000);

  it('runs a direct job to completion after a browser login on the provider’s page', async () => {
    const api = startServiceProcess('api', 'dist/api/main.js', {
      ...common,
      ...localProviderEnv(issuer),
      ...cscEnv,
    });
    processes.push(api);
    await waitForHttp(`${baseUrl}/healthz`, api, 180_000);
    // The worker answers /healthz once it polls (bundling the workflows takes a while when busy).
    const metricsPort = await freePort();
    const worker = startServiceProcess('worker', 'dist/worker/main.js', {
      ...common,
      ...cscEnv,
      METRICS_PORT: String(metricsPort),
    });
    processes.push(worker);
    await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, worker, 240_000);
    // `npm run build` bundled the workflows, and the production worker runs that bundle (its
    // start line may reach us through the pipe after /healthz answers).
    const startLine = await until(
      "the worker's start line",
      async () =>
        worker
          .stdout()
          .split('\n')
          .find((l) => l.includes('"msg":"worker started"')),
      10_000,
    );
    expect(JSON.parse(startLine)).toMatchObject({ workflowBundle: 'prebuilt', tracing: false });

    const auth = { authorization: `Bearer ${apiKey}` };
    const created = await fetch(`${baseUrl}/api/${ORG}/direct/signature-jobs`, {
      method: 'POST',
      headers: auth,
      body: createForm(
        {
          title: 'Loan agreement',
          documents: [{ title: 'Agreement', fileName: 'agreement.pdf', mimeType: 'application/pdf' }],
          signers: [
            { personalIdentificationNumber: kari.pid },
            { personalIdentificationNumber: ola.pid, signatureType: 'ADVANCED_SIGNATURE' },
          ],
          exitUrls: exit.exitUrls,
        },
        { 'agreement.pdf': await samplePdf() },
      ),
    });
    const job = (await created.json()) as { id: string; signers: { redirectUrl: string }[] };
    expect(created.status, JSON.stringify(job)).toBe(201);

    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await page.goto(job.signers[0]!.redirectUrl);
    await providerLogin(page, baseUrl, kari.pid, 4);
    await page.getByRole('button', { name: 'Sign' }).focus();
    await page.keyboard.press('Enter');
    await page
      .waitForURL(`${exit.exitUrls.completionUrl}?status_query_token=**`, { timeout: 120_000 })
      .catch(async (err: Error) => {
        throw new Error(
          `not back at the sender: ${page.url()}\n${await page.locator('body').textContent()}\n${api.output()}`,
          {
            cause: err,
          },
        );
      });

    // The advanced signer approves at the local BankID and comes back signed.
    const olaPage = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await olaPage.goto(job.signers[1]!.redirectUrl);
    await providerLogin(olaPage, baseUrl, ola.pid, 4);
    await olaPage.getByRole('button', { name: 'Sign with BankID' }).click();
    await olaPage.waitForURL(`${cscEnv.CSC_BANKID_URL}/oauth2/authorize**`);
    expect(await olaPage.getByTestId('csc-person').textContent()).toBe(ola.name);
    await olaPage.getByRole('button', { name: 'Approve' }).click();
    await olaPage
      .waitForURL(`${exit.exitUrls.completionUrl}?status_query_token=**`, { timeout: 120_000 })
      .catch(async (err: Error) => {
        throw new Error(
          `not back at the sender: ${olaPage.url()}\n${await olaPage.locator('body').textContent()}`,
          {
            cause: err,
          },
        );
      });

    const done = await until(
      'the job to complete',
      async () => {
        const res = await fetch(`${baseUrl}/api/${ORG}/direct/signature-jobs/${job.id}`, { headers: auth });
        const body = (await res.json()) as { status: string };
        return body.status === 'COMPLETED_SUCCESSFULLY' ? body : undefined;
      },
      120_000,
      500,
    );
    expect(done.status).toBe('COMPLETED_SUCCESSFULLY');
    // The API logged the login with what the provider said of it, never the number.
    expect(api.stdout()).toMatch(/"msg":"logged in"/);
    expect(api.stdout()).toMatch(/"amr":\["TestID"\]/);
    expect(api.stdout()).not.toContain(kari.pid);
  }, 600_000);
});
