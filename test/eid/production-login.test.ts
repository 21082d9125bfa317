/**
 * The production entry points with a real login: `npm run build`, then `node dist/api/main.js`
 * and `node dist/worker/main.js` with APP_ENV=production and EID_PROVIDER=oidc against the local
 * provider run as its own process (`node dist/src/dev/oidc-main.js`). A direct job is signed in
 * Chromium after a login on the provider's page and runs to completion. Without the OIDC
 * variables the API stops at start-up with a message naming them (exit 78).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProviderEnv } from '../../src/dev/oidc-provider.js';
import { projectRoot } from '../../src/dev/tools.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { seedDevSender } from '../../src/runtime.js';
import { launchChromium, providerLogin } from '../e2e/support/browser.js';
import { type ExitServer, startExitServer } from '../e2e/support/exit-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { type ServiceProcess, startServiceProcess, until, waitForHttp } from '../helpers/processes.js';
import { createForm, samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';
import { devServerEnv } from '../helpers/temporal.js';

const kari = testPopulation[0]!;

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let dataDir: string;
let browser: Browser;
let exit: ExitServer;
let baseUrl: string;
let issuer: string;
let common: Record<string, string>;
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
  const oidc = startServiceProcess('oidc', 'dist/src/dev/oidc-main.js', {
    OIDC_PORT: String(oidcPort),
    PUBLIC_URL: baseUrl,
  });
  processes.push(oidc);
  issuer = `http://127.0.0.1:${oidcPort}`;
  await waitForHttp(`${issuer}/.well-known/openid-configuration`, oidc);

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

  it('runs a direct job to completion after a browser login on the provider’s page', async () => {
    const api = startServiceProcess('api', 'dist/api/main.js', { ...common, ...localProviderEnv(issuer) });
    processes.push(api);
    await waitForHttp(`${baseUrl}/healthz`, api, 180_000);
    // The worker answers /healthz once it polls (bundling the workflows takes a while when busy).
    const metricsPort = await freePort();
    const worker = startServiceProcess('worker', 'dist/worker/main.js', {
      ...common,
      METRICS_PORT: String(metricsPort),
    });
    processes.push(worker);
    await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, worker, 240_000);

    const auth = { authorization: `Bearer ${apiKey}` };
    const created = await fetch(`${baseUrl}/api/${ORG}/direct/signature-jobs`, {
      method: 'POST',
      headers: auth,
      body: createForm(
        {
          title: 'Loan agreement',
          documents: [{ title: 'Agreement', fileName: 'agreement.pdf', mimeType: 'application/pdf' }],
          signers: [{ personalIdentificationNumber: kari.pid }],
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
