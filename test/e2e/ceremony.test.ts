/**
 * The signing ceremony and the signing portal in Debian's Chromium against the real stack: a
 * direct job signed and sent back to the sender's completion URL, a used link, a portal job with
 * two groups signed by two people in turn, a rejection with a reason, a level-3 login refused for
 * a level-4 job, a signer reached by e-mail and SMS who gets the one-time code by SMS (wrong codes
 * delay her next try, never end the job), and one reached by e-mail only, who gets no code.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/http/server.js';
import { createHttpSmsGateway } from '../../src/notifications/sms.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { launchChromium, providerLogin, screenshot } from '../helpers/browser/browser.js';
import { type ExitServer, startExitServer } from '../helpers/browser/exit-server.js';
import { createJob, waitForJob } from '../helpers/browser/jobs.js';
import { signerCodeFromSms } from '../helpers/notifications.js';
import { CookieJar, loginThroughProvider } from '../helpers/oidc-login.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { freePort } from '../helpers/ports.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';

/** Waits for the browser side (workflow updates take a moment); vitest's default of 1 s is too short. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

/** The unique link of the newest notice e-mail to `address` (SMTP sink), and that e-mail's text. */
async function linkFromMail(address: string): Promise<{ url: string; mail: string }> {
  let found: { url: string; mail: string } | undefined;
  await poll(async () => {
    const mails = (await ps.stack.notices.messages()).filter(
      (m) => m.to && JSON.stringify(m.to).includes(address),
    );
    const text = mails.at(-1)?.text ?? '';
    const url = /(https?:\/\/\S+\/portal\/link\/[A-Za-z0-9_-]+)/.exec(text)?.[1];
    found = url ? { url, mail: text } : undefined;
    return found !== undefined;
  }).toBe(true);
  return found!;
}

/** The newest one-time code sent by SMS to `mobile` (development SMS gateway). */
const codeFromSms = (mobile: string) => signerCodeFromSms(ps.stack.t.db, mobile);

/** How many one-time code e-mails went to `address` (none, when the code goes by SMS). */
async function codeMailsTo(address: string): Promise<number> {
  const mails = await ps.stack.notices.messages();
  return mails.filter(
    (m) => JSON.stringify(m.to ?? '').includes(address) && /one-time code for signing/i.test(m.subject ?? ''),
  ).length;
}

const linkRow = (url: string) =>
  ps.stack.t.db
    .selectFrom('signer_links')
    .select(['failed_attempts', 'next_try_at'])
    .where('token_hash', '=', createHash('sha256').update(url.split('/').at(-1)!).digest('hex'))
    .executeTakeFirstOrThrow();
const dbNow = async () => (await sql<{ now: Date }>`select now() as now`.execute(ps.stack.t.db)).rows[0]!.now;
/** Stands for the wait after wrong codes having passed (minutes the test does not sit out). */
const passWait = (url: string) =>
  ps.stack.t.db
    .updateTable('signer_links')
    .set({ next_try_at: sql<Date>`now()` })
    .where('token_hash', '=', createHash('sha256').update(url.split('/').at(-1)!).digest('hex'))
    .execute();

const kari = testPopulation[0]!;
const ola = testPopulation[1]!;

let ps: PagesStack;
let browser: Browser;
let exit: ExitServer;
let pdf: Uint8Array;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [ps, browser, exit, pdf] = await Promise.all([
    startPagesStack(),
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

/** A browser of its own for one person (no shared cookies). */
async function personPage(locale = 'en-GB') {
  const context = await browser.newContext({ locale });
  contexts.push(context);
  return context.newPage();
}

const portalJob = (signers: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  title: 'Employment contract for Kari',
  nonsensitiveTitle: 'A contract',
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
  signers,
  ...extra,
});
const bySelf = (pid: string, order = 0) => ({
  personalIdentificationNumber: pid,
  order,
  notifications: { email: 'x@example.com' },
});

describe('direct flow', () => {
  it('signs through the redirect URL and returns to the completion URL with a status query token', async () => {
    const job = await createJob(
      ps,
      'direct',
      {
        title: 'Loan agreement',
        documents: [
          { title: 'Agreement', fileName: 'agreement.pdf', mimeType: 'application/pdf' },
          { title: 'Terms', fileName: 'terms.txt', mimeType: 'text/plain' },
        ],
        signers: [{ personalIdentificationNumber: kari.pid }],
        exitUrls: exit.exitUrls,
      },
      { 'agreement.pdf': pdf, 'terms.txt': 'Interest: 4.5 %\nTerm: 25 years\n' },
    );
    const redirectUrl = job.signers[0]!.redirectUrl!;
    expect(redirectUrl.startsWith(`${ps.baseUrl}/sign/direct/`)).toBe(true);

    const page = await personPage();
    await page.goto(redirectUrl);
    // The ceremony asks for the eID login first: the provider's own TestID page.
    await page.waitForURL(`${ps.stack.oidc.issuer}/interaction/**`);
    await screenshot(page, 'login');
    await providerLogin(page, ps.baseUrl, kari.pid, 4);

    await poll(() => page.locator('h1').textContent()).toBe('Loan agreement');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await poll(() => page.getByText('Kari Nordmann').count()).toBeGreaterThan(0);
    // The PDF is drawn page by page by the page's own viewer (pdf.js), the text shown as text.
    await poll(() => page.locator('.pdf-page canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('pre').textContent()).toContain('Interest: 4.5 %');
    // The document is served to this session only.
    const docUrl = await page.locator('.pdf-view').getAttribute('data-pdf');
    expect((await page.request.get(`${ps.baseUrl}${docUrl}`)).headers()['content-type']).toBe(
      'application/pdf',
    );
    expect((await fetch(`${ps.baseUrl}${docUrl}`, { redirect: 'manual' })).status).toBe(303);
    await screenshot(page, 'ceremony-direct');

    // By keyboard, as a person without a mouse would (a click right after a full-page screenshot
    // can miss in headless Chromium).
    await page.getByRole('button', { name: 'Sign' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.url()).toContain(`${exit.exitUrls.completionUrl}?status_query_token=`);
    const token = new URL(page.url()).searchParams.get('status_query_token')!;
    const status = await ps.api(
      `/api/${ORG}/direct/signature-jobs/${job.id}/status?status_query_token=${token}`,
    );
    expect(status.status).toBe(200);
    expect(((await status.json()) as { signers: { status: string }[] }).signers[0]!.status).toBe('SIGNED');

    // Every step is in the audit trail, with where it came from and the digests, never the number.
    const audit = await ps.stack.t.db
      .selectFrom('audit_events')
      .select(['event', 'actor', 'details'])
      .where('job_id', '=', job.id)
      .where('idempotency_key', 'like', 'page:%')
      .execute();
    expect(audit.map((a) => a.event)).toEqual(
      expect.arrayContaining(['CEREMONY_OPENED', 'SIGNER_LOGGED_IN', 'DOCUMENT_VIEWED', 'SIGNED_IN_BROWSER']),
    );
    const signed = audit.find((a) => a.event === 'SIGNED_IN_BROWSER')!;
    expect(signed.actor).toBe(`signer:${job.signers[0]!.id}`);
    expect(signed.details).toMatchObject({
      ip: '127.0.0.1',
      level: 4,
      documents: [{ fileName: 'agreement.pdf' }, { fileName: 'terms.txt' }],
    });
    expect((signed.details as { userAgent: string }).userAgent).toContain('Chrome');
    expect(JSON.stringify(audit)).not.toContain(kari.pid);
    // The login with what the provider said of it: level, eID service, acr, the eID used, its session.
    expect(audit.find((a) => a.event === 'SIGNER_LOGGED_IN')!.details).toMatchObject({
      level: 4,
      eidProvider: 'TestID (local)',
      acr: 'idporten-loa-high',
      amr: ['TestID'],
      sid: expect.any(String),
    });

    // The one-time URL is spent.
    await page.goto(redirectUrl);
    expect(await page.locator('h1').textContent()).toBe('This link has been used or has expired');
    await screenshot(page, 'link-used');
    expect((await fetch(redirectUrl)).status).toBe(410);
  });
});

describe('signing portal', () => {
  it('lets two groups sign in turn: the second sees the job only once the first has signed', async () => {
    const job = await createJob(ps, 'portal', portalJob([bySelf(kari.pid, 0), bySelf(ola.pid, 1)]), {
      'contract.pdf': pdf,
    });
    const olaPage = await personPage('nb-NO');
    await olaPage.goto(`${ps.baseUrl}/portal`);
    await providerLogin(olaPage, ps.baseUrl, ola.pid, 4);
    await poll(() => olaPage.locator('h1').textContent()).toBe('Dine signeringsoppdrag');
    expect(await olaPage.locator('html').getAttribute('lang')).toBe('nb');
    expect(await olaPage.getByText('Ingen oppdrag venter på deg nå.').count()).toBe(1);

    const kariPage = await personPage();
    await kariPage.goto(`${ps.baseUrl}/portal`);
    await providerLogin(kariPage, ps.baseUrl, kari.pid, 4);
    await kariPage.getByRole('link', { name: 'Employment contract for Kari' }).click();
    await poll(() => kariPage.locator('h1').textContent()).toBe('Employment contract for Kari');
    await kariPage.getByRole('button', { name: 'Sign' }).click();
    await poll(() => kariPage.getByRole('status').textContent()).toContain('You have signed');
    await screenshot(kariPage, 'ceremony-signed');

    await olaPage.reload();
    await olaPage.getByRole('link', { name: 'Employment contract for Kari' }).click();
    await olaPage.getByRole('button', { name: 'Signer' }).click();
    await poll(() => olaPage.getByRole('status').textContent()).toContain('Du har signert');
    const done = await waitForJob(ps, 'portal', job.id, (j) => j.signers.every((s) => s.status === 'SIGNED'));
    expect(done.signers.map((s) => s.status)).toEqual(['SIGNED', 'SIGNED']);
  });

  it('records a rejection with its reason', async () => {
    const job = await createJob(ps, 'portal', portalJob([bySelf(kari.pid)]), { 'contract.pdf': pdf });
    const page = await personPage();
    await page.goto(`${ps.baseUrl}/portal`);
    await providerLogin(page, ps.baseUrl, kari.pid, 4);
    await screenshot(page, 'portal-list');
    await page.getByRole('link', { name: 'Employment contract for Kari' }).click();
    await screenshot(page, 'ceremony-portal');
    // Rejecting is behind a disclosure in the bar, beside the Sign button.
    await page.locator('details.reject summary').click();
    expect(await page.getByText('Do not want to sign?').isVisible()).toBe(true);
    await page.getByLabel('Reason for the sender (optional)').fill('The salary is wrong');
    await page.getByRole('button', { name: 'Reject' }).click();
    await poll(() => page.getByRole('status').textContent()).toContain('You rejected the job');
    const state = await ps.stack.env.client.workflow.getHandle(`signature-job-${job.id}`).query('status');
    expect((state as { signers: { status: string; rejectionReason?: string }[] }).signers[0]).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'The salary is wrong',
    });

    // Logging out ends this service's session and the provider's, and comes back here.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${ps.baseUrl}/logout/done`);
    expect(await page.locator('h1').textContent()).toBe('You are logged out');
    await page.goto(`${ps.baseUrl}/portal`);
    await page.waitForURL(`${ps.stack.oidc.issuer}/interaction/**`);
  });

  it('refuses a level-3 login for a level-4 job, showing only the non-sensitive title', async () => {
    const job = await createJob(ps, 'portal', portalJob([bySelf(kari.pid)]), { 'contract.pdf': pdf });
    const page = await personPage();
    await page.goto(`${ps.baseUrl}/portal`);
    await providerLogin(page, ps.baseUrl, kari.pid, 3);
    // The list names the job by its non-sensitive title only.
    await poll(() => page.getByText('Requires level 4').count()).toBeGreaterThan(0);
    expect(await page.getByText('Employment contract for Kari').count()).toBe(0);
    // The list leads to a login at level 4 that returns to the job; the job's page itself,
    // opened at level 3 (a bookmark, say), refuses with the non-sensitive title only.
    const here = `/sign/${job.id}/${job.signers[0]!.id}`;
    const listed = await page.getByRole('link', { name: 'A contract' }).first().getAttribute('href');
    expect(listed).toBe(`/login?next=${encodeURIComponent(here)}&level=4`);
    await page.goto(`${ps.baseUrl}${here}`);
    expect(await page.locator('h1').textContent()).toBe('Security level 4 required');
    expect(await page.getByText('A contract').count()).toBe(1);
    expect(await page.getByText('Employment contract for Kari').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign' }).count()).toBe(0);
    await screenshot(page, 'level-too-low');
    const refused = await fetch(`${ps.baseUrl}/sign/${job.id}/${job.signers[0]!.id}`, {
      headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(refused.status).toBe(403);

    // Asked for level 4, a level-3 login at the provider is refused: a page, and no new session.
    const before = await page.context().cookies(ps.baseUrl);
    await page.getByRole('link', { name: 'Log in at level 4' }).click();
    await page.waitForURL(`${ps.stack.oidc.issuer}/interaction/**`);
    await page.getByLabel('Test identity number').fill(kari.pid);
    await page.getByLabel('Level 3').check();
    await page.getByRole('button', { name: 'Log in with TestID' }).click();
    await page.waitForURL(`${ps.baseUrl}/login/callback**`);
    expect(await page.locator('h1').textContent()).toBe('The login was refused');
    await poll(() => page.getByText('lower security level than required (level 4)').count()).toBe(1);
    await screenshot(page, 'login-refused');
    const session = (cookies: typeof before) => cookies.find((c) => c.name === 'esign_session')?.value;
    expect(session(await page.context().cookies(ps.baseUrl))).toBe(session(before));
  });

  it('sends a signer reached by e-mail and SMS the code by SMS; wrong codes delay the next try and never end the job', async () => {
    const mobile = '+4799887766';
    const job = await createJob(
      ps,
      'portal',
      portalJob([{ email: 'agent.one@example.com', mobile, onBehalfOf: 'OTHER' }]),
      { 'contract.pdf': pdf },
    );
    // The link comes by e-mail, without a code; the page sends the code by SMS when asked.
    const { url, mail } = await linkFromMail('agent.one@example.com');
    expect(mail).not.toMatch(/\b\d{6}\b/);
    const page = await personPage();
    await page.goto(url);
    await poll(() => page.getByText('by SMS to the mobile number ending in 66').count()).toBe(1);
    await expect(page.getByLabel('One-time code (6 digits)').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Send me the code' }).click();
    const code = await codeFromSms(mobile);
    expect(await codeMailsTo('agent.one@example.com')).toBe(0);
    await poll(() => page.getByText(/A code was sent at \d\d:\d\d:\d\d/).count()).toBe(1);
    await screenshot(page, 'one-time-code');

    const wrong = code === '000000' ? '111111' : '000000';
    const tryCode = async (typed: string) => {
      await page.getByLabel('One-time code (6 digits)').fill(typed);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForLoadState();
    };
    // Two slips cost nothing; the third makes the next try wait 30 seconds.
    await tryCode(wrong);
    await poll(() => page.getByRole('alert').textContent()).toBe('Wrong code.');
    await tryCode(wrong);
    await tryCode(wrong);
    await poll(() => page.getByRole('alert').textContent()).toMatch(
      /^Wrong code\. To stop guessing, you can try again at \d\d:\d\d:\d\d\.$/,
    );
    const wait = async () => (await linkRow(url)).next_try_at!.getTime() - (await dbNow()).getTime();
    expect(await wait()).toBeGreaterThan(25_000);
    expect(await wait()).toBeLessThanOrEqual(30_000);
    // A try inside the wait is refused unchecked (even the right code) and not counted.
    await tryCode(code);
    await poll(() => page.getByRole('alert').textContent()).toMatch(/^Too many wrong codes\./);
    expect((await linkRow(url)).failed_attempts).toBe(3);
    // The 30 seconds pass for real; the fourth wrong code doubles the wait to a minute.
    const thirty = Math.max(0, await wait()) + 500;
    await new Promise((r) => setTimeout(r, thirty));
    await tryCode(wrong);
    expect((await linkRow(url)).failed_attempts).toBe(4);
    expect(await wait()).toBeGreaterThan(55_000);
    // Let that minute (then the fifth wrong code's two) pass by moving the link's wait to now.
    await passWait(url);
    await tryCode(wrong);
    expect((await linkRow(url)).failed_attempts).toBe(5);
    expect(await wait()).toBeGreaterThan(115_000);
    // Five wrong codes: the job runs on and the signer still waits to sign.
    const running = await waitForJob(ps, 'portal', job.id, (j) => j.status === 'IN_PROGRESS');
    expect(running.signers[0]!.status).toBe('WAITING');
    await passWait(url);
    await tryCode(code);
    await providerLogin(page, ps.baseUrl, ola.pid, 4);
    await page.getByRole('button', { name: 'Sign' }).click();
    await waitForJob(ps, 'portal', job.id, (j) => j.signers[0]!.status === 'SIGNED');
  }, 150_000); // 30 seconds of it are the real wait after the third wrong code

  it('gives a signer reached by e-mail only no code and says what proves her', async () => {
    const job = await createJob(
      ps,
      'portal',
      portalJob([{ email: 'agent.two@example.com', onBehalfOf: 'OTHER' }]),
      { 'contract.pdf': pdf },
    );
    const { url, mail } = await linkFromMail('agent.two@example.com');
    expect(mail).toContain('Du bekrefter hvem du er med elektronisk ID.');
    expect(mail).not.toMatch(/\b\d{6}\b/);
    const page = await personPage();
    await page.goto(url);
    expect(await page.locator('h1').textContent()).toBe('Open the document');
    await poll(() => page.getByText('so you get no one-time code').count()).toBe(1);
    await poll(() => page.getByText('the signature names the person who logs in').count()).toBe(1);
    await expect(page.getByLabel('One-time code (6 digits)').count()).resolves.toBe(0);
    await screenshot(page, 'link-without-code');
    await page.getByRole('button', { name: 'Continue to log in' }).click();
    await providerLogin(page, ps.baseUrl, ola.pid, 4);
    await page.getByRole('button', { name: 'Sign' }).click();
    await waitForJob(ps, 'portal', job.id, (j) => j.signers[0]!.status === 'SIGNED');
  });
});

describe('pages without a browser', () => {
  it('sets the session cookie HttpOnly and SameSite=Lax at login, and refuses a form post without its token', async () => {
    const jar = new CookieJar();
    const hop = await loginThroughProvider(jar, `${ps.baseUrl}/login?next=/portal&level=4`, kari.pid, 4, {
      stopAtCallback: true,
    });
    const back = await jar.fetch(hop.url);
    expect(back.status).toBe(303);
    const cookie = back.headers.getSetCookie().find((c) => c.startsWith('esign_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // http here; Secure when PUBLIC_URL is https
    const token = (
      await ps.stack.t.db
        .selectFrom('portal_sessions')
        .select('csrf_token')
        .where('pid', '=', kari.pid)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow()
    ).csrf_token;
    const logout = (origin: string, body: string) =>
      jar.fetch(`${ps.baseUrl}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body,
      });
    expect((await logout(ps.baseUrl, '')).status).toBe(403);
    expect((await logout('https://evil.example', `_csrf=${token}`)).status).toBe(403);
    expect((await logout(ps.baseUrl, `_csrf=${token}`)).status).toBe(303);
  });
  it('answers the code forms of a link with 4xx, never blocking: malformed 400, a second code within the minute 429, a try inside the wait 429 with Retry-After, a gateway down 503 with nothing counted', async () => {
    const mobile = '+4799887700';
    await createJob(
      ps,
      'portal',
      portalJob([{ email: 'agent.three@example.com', mobile, onBehalfOf: 'OTHER' }]),
      {
        'contract.pdf': pdf,
      },
    );
    const { url } = await linkFromMail('agent.three@example.com');
    const jar = new CookieJar();
    const page = await jar.fetch(url);
    expect(page.status).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(token).toBeDefined();
    const post = (target: string, body: string, origin = ps.baseUrl) =>
      jar.fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: `_csrf=${token}&${body}`,
      });

    // The SMS gateway is down (nothing listens where it is configured): the page says the code
    // was not sent, and the send does not count against the minute.
    const port = await freePort();
    const down = await listen(
      createApp({
        ...ps.stack.apiDeps,
        notifications: {
          sms: createHttpSmsGateway({ url: `http://127.0.0.1:${await freePort()}/sms`, timeoutMs: 2000 }),
        },
      }),
      '127.0.0.1',
      port,
    );
    try {
      const jarForDown = new CookieJar();
      const downUrl = url.replace(ps.baseUrl, `http://127.0.0.1:${port}`);
      const opened = await jarForDown.fetch(downUrl);
      const downToken = /name="_csrf" value="([^"]+)"/.exec(await opened.text())?.[1];
      const notSent = await jarForDown.fetch(`${downUrl}/send-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${port}` },
        body: `_csrf=${downToken}`,
      });
      expect(notSent.status).toBe(503);
      expect(await notSent.text()).toContain('Koden kunne ikke sendes akkurat nå.');
    } finally {
      await down.close();
    }

    expect((await post(`${url}/send-code`, '')).status).toBe(303);
    const code = await codeFromSms(mobile);
    const again = await post(`${url}/send-code`, '');
    expect(again.status).toBe(429);
    expect(await again.text()).toMatch(/Du kan be om en ny kode \d\d:\d\d:\d\d\./);

    expect((await post(url, 'code=12ab')).status).toBe(400);
    expect((await linkRow(url)).failed_attempts).toBe(0);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 6; i++) {
      if (i >= 3) await passWait(url);
      const answer = await post(url, `code=${wrong}`);
      expect(answer.status).toBe(400);
    }
    expect((await linkRow(url)).failed_attempts).toBe(6);
    const early = await post(url, `code=${code}`);
    expect(early.status).toBe(429);
    // Six wrong codes: the fourth doubling, 4 minutes (give or take the second the test took).
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(235);
    expect(Number(early.headers.get('retry-after'))).toBeLessThanOrEqual(240);
    await passWait(url);
    const right = await post(url, `code=${code}`);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toMatch(/^\/sign\//);
  });
});
