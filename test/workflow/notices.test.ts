/**
 * How a portal job reaches people, under time skipping with real parts: e-mails through a real
 * SMTP server (read back with mailparser), the development contact register, SMS gateway and
 * digital mailbox on PostgreSQL, real signatures and packaging, and sender callbacks received by
 * a local HTTP server.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextStepView } from '../../api/json/views.js';
import { translator } from '../../api/pages/i18n.js';
import { nextStepTexts } from '../../api/pages/next-step-view.js';
import { readJob } from '../../src/db/job-reads.js';
import { activeCallbackSecrets } from '../../src/notifications/callbacks/secrets.js';
import { verifyCallbackSignature } from '../../src/notifications/callbacks/signature.js';
import { createDevDigitalMailbox } from '../../src/notifications/mailbox.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { rememberSignerLanguage } from '../../src/portal/ceremony.js';
import { sendSignerCode } from '../../src/portal/code-delivery.js';
import { checkSignerCode, signerLinkState } from '../../src/portal/signer-links.js';
import { nextOsloHour } from '../../src/rules/oslo-time.js';
import { createSigningContext, type SigningContext } from '../../src/signatures/context.js';
import { createSignerSignature } from '../../src/signatures/job-results.js';
import { PostgresDocumentStore } from '../../src/storage/index.js';
import { createSignatureWorker } from '../../worker/worker.js';
import { cancelUpdate, signUpdate, statusQuery } from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { recording, saveHistory } from '../helpers/histories.js';
import { startTestJob, type TestJobSpec } from '../helpers/jobs.js';
import { startTestNotifications } from '../helpers/notifications.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';
import { runRetentionSweep, timeSkippingEnv, workflowBundle } from '../helpers/temporal.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const person = (name: string) => testPopulation.find((p) => p.name === name)!;
const KARI = person('Kari Nordmann'); // e-mail, mobile, mailbox
const INGRID = person('Ingrid Hansen'); // e-mail, mobile, no mailbox
const PER = person('Per Johansen'); // e-mail, mobile, no mailbox
const NILS = person('Nils Olsen'); // reserved
const EMIL = person('Emil Pedersen'); // no contact details

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let notices: Awaited<ReturnType<typeof startTestNotifications>>;
let signing: SigningContext;
let pkiDir: string;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `notices-${randomUUID()}`;

beforeAll(async () => {
  [env, t] = await Promise.all([timeSkippingEnv(), createTestDatabase()]);
  pkiDir = await mkdtemp(join(tmpdir(), 'esign-pki-'));
  signing = await createSigningContext({ pkiDir, publicUrl: 'http://localhost:3000' });
  notices = await startTestNotifications(t.db);
  worker = await createSignatureWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: {
      db: t.db,
      signing,
      // startTestJob stores the documents in the same (default) store.
      storage: new PostgresDocumentStore(t.db),
      notifications: notices.adapters,
      publicUrl: 'http://localhost:3000',
    },
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await notices?.stop();
  await t?.db.destroy();
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

let jobsOfTest: Awaited<ReturnType<typeof startTestJob>>[] = [];
afterEach(async (ctx) => {
  if (recording && ctx.task.result?.state === 'pass') {
    for (const job of jobsOfTest) await saveHistory(job.handle, ctx.task.name);
  }
  jobsOfTest = [];
});

async function start(spec: TestJobSpec) {
  const job = await startTestJob(t.db, env.client, taskQueue, spec);
  jobsOfTest.push(job);
  await env.sleep(60_000);
  const state = () => job.handle.query(statusQuery);
  /** Signs as the signer's eID would: the XAdES first, then the workflow update. */
  const sign = async (i: number, name = `Signer ${i}`) => {
    const signerId = job.signerIds[i]!;
    await createSignerSignature(
      { db: t.db, storage: new PostgresDocumentStore(t.db), signing },
      job.jobId,
      signerId,
      {
        name,
        authenticationLevel: 4,
        authenticatedAt: new Date(await env.currentTimeMs()),
        eidProvider: 'test eID',
      },
    );
    await job.handle.executeUpdate(signUpdate, { args: [{ signerId, authenticationLevel: 4 }] });
  };
  return { ...job, state, sign };
}

/**
 * The job's SMS notices, once there is one. An SMS falling due during `env.sleep` (at night in
 * Oslo the activation SMS waits for 08:00) is sent by an activity that may still be running when
 * the sleep returns, so the test waits for it rather than reading at once.
 */
async function smsOfJob(jobId: string) {
  return until(
    `an SMS of job ${jobId}`,
    async () => {
      const rows = await t.db
        .selectFrom('dev_sms')
        .select(['to_number', 'text'])
        .where('idempotency_key', 'like', `notice:${jobId}:%`)
        .execute();
      return rows.length > 0 ? rows : undefined;
    },
    30_000,
  );
}

async function mailTo(address: string) {
  return (await notices.messages()).filter((m) =>
    (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(address)),
  );
}

describe('signer notices by e-mail', () => {
  it('activation and reminder reach the signer through SMTP, each exactly once', async () => {
    const job = await start({ signers: [{ channels: { email: true } }], availableSeconds: 10 * 24 * 3600 });
    await env.sleep(6 * DAY);
    const ofJob = await mailTo(job.emails[0]!);
    expect(ofJob).toHaveLength(2);
    expect(new Set(ofJob.map((m) => m.messageId)).size).toBe(2);
    // Level 4 without a non-sensitive title: the title is not shown in the notice.
    expect(ofJob.every((m) => !m.text?.includes('Test job'))).toBe(true);
    expect(ofJob[0]!.text).toContain('http://localhost:3000/portal');
    expect((await job.state()).status).toBe('IN_PROGRESS');
  });

  it('a register signer is notified at the address the register gives', async () => {
    const job = await start({ signers: [{ pid: KARI.pid }], availableSeconds: 3 * 24 * 3600 });
    const mails = await mailTo(KARI.email!);
    expect(mails.length).toBeGreaterThanOrEqual(1);
    // SMS goes to the register's mobile too, through the SMS gateway (development: recorded): with
    // both channels and 3 days, one SMS a day before the deadline, or at 08:00 Oslo time after it
    // if that falls in the night, at most 10 hours later: still before the deadline.
    await env.sleep(2 * DAY + 11 * HOUR);
    const sms = await smsOfJob(job.jobId);
    expect(sms.map((s) => s.to_number)).toContain(KARI.mobile);
  });

  it('cancellation is told to those who were notified, not to later groups', async () => {
    const job = await start({ signers: [{ order: 0 }, { order: 1 }] });
    await job.handle.executeUpdate(cancelUpdate);
    await env.sleep(60_000);
    const first = await mailTo(job.emails[0]!);
    expect(first.length).toBe(2); // activation, cancellation
    expect(await mailTo(job.emails[1]!)).toHaveLength(0);
    const noticeRows = await t.db
      .selectFrom('notices')
      .select(['signer_id', 'kind'])
      .where('job_id', '=', job.jobId)
      .execute();
    expect(noticeRows.filter((n) => n.kind === 'CANCELLATION').map((n) => n.signer_id)).toEqual([
      job.signerIds[0],
    ]);
  });
});

/** The unique link of a notice's text, and its token. */
function linkIn(text: string) {
  const link = /http:\/\/localhost:3000\/portal\/link\/([A-Za-z0-9_-]+)/.exec(text);
  expect(link, text).not.toBeNull();
  return { link: link![0], token: link![1]! };
}

/** The one-time codes sent to a signer on request (development SMS gateway), oldest first. */
async function codeSmsOf(signerId: string) {
  return t.db
    .selectFrom('dev_sms')
    .select(['to_number', 'text'])
    .where('idempotency_key', 'like', `signer-code:${signerId}:%`)
    .orderBy('id')
    .execute();
}

describe("the signer's language", () => {
  it('an EN signer gets the e-mail in English, a default signer in Norwegian, each with the link and no code', async () => {
    const job = await start({
      signers: [{ channels: { email: true }, language: 'EN' }, { channels: { email: true } }],
    });
    const english = await mailTo(job.emails[0]!);
    const norwegian = await mailTo(job.emails[1]!);
    expect(english).toHaveLength(1);
    expect(norwegian).toHaveLength(1);

    const en = english[0]!;
    expect(en.subject).toBe('You have a document to sign from Test Sender');
    expect(en.text).toContain('Test Sender has sent you a document to sign.');
    expect(en.text).toMatch(/Deadline for signing: .* \(Norwegian time\)\./);
    expect(en.text).not.toMatch(/signering|Frist|Engangskode/);
    // E-mail only: no code (it would sit in the same inbox); the notice says what proves her.
    expect(en.text).not.toMatch(/\b\d{6}\b/);
    expect(en.text).toContain('You confirm who you are with your electronic ID.');
    const enAccess = linkIn(en.text!);
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain(`href="${enAccess.link}"`);
    expect(en.html).toContain('Go to the document');
    expect(await signerLinkState(t.db, enAccess.token)).toMatchObject({
      codeChannel: 'NONE',
      hasCode: false,
    });
    expect(
      await sendSignerCode({ db: t.db, notifications: notices.adapters }, enAccess.token, 'en'),
    ).toMatchObject({
      ok: false,
      reason: 'NO_CODE_CHANNEL',
    });

    const no = norwegian[0]!;
    expect(no.subject).toBe('Du har et dokument å signere fra Test Sender');
    expect(no.text).toContain('Test Sender har sendt deg et dokument til signering.');
    expect(no.text).toMatch(/Frist for å signere: .* kl\. \d\d:\d\d\./);
    expect(no.text).not.toMatch(/Deadline|One-time code|Engangskode:/);
    expect(no.text).toContain('Du bekrefter hvem du er med elektronisk ID.');
    const noAccess = linkIn(no.text!);
    expect(no.html).toContain('<html lang="nb">');
    expect(no.html).toContain(`href="${noAccess.link}"`);
  });

  it('an EN signer reached by SMS only gets the SMS in English, with the link and no code', async () => {
    const job = await start({
      signers: [{ channels: { email: false, sms: true }, language: 'EN' }],
      availableSeconds: 10 * 24 * 3600,
    });
    // The activation SMS waits for 08:00 if the job starts at night in Oslo.
    await env.sleep(DAY);
    const sms = await smsOfJob(job.jobId);
    expect(sms).toHaveLength(1);
    const text = sms[0]!.text;
    expect(text).toMatch(
      /^Test Sender has sent you a document to sign\. Deadline: \d+ [A-Z][a-z]+ \d{4} at \d\d:\d\d \(Norwegian time\)\. http:\/\/localhost:3000\/portal\/link\/\S+ The link is yours alone, so do not share it\. You confirm who you are with your electronic ID\.$/,
    );
    expect(await signerLinkState(t.db, linkIn(text).token)).toMatchObject({ codeChannel: 'NONE' });
  });

  it('says why an SMS-only signer is not notified yet during the quiet hours, from the recorded state', async () => {
    // Start the job at 22:30 Oslo time, inside the quiet hours.
    const now = new Date(await env.currentTimeMs());
    await env.sleep(nextOsloHour(now, 22).getTime() + 30 * 60 * 1000 - now.getTime());
    const job = await start({
      signers: [{ channels: { email: true, sms: false } }, { channels: { email: false, sms: true } }],
      availableSeconds: 10 * 24 * 3600,
    });
    const activatedAt = new Date(await env.currentTimeMs());
    const morning = nextOsloHour(activatedAt, 8).toISOString();
    const smsSigner = job.signerIds[1]!;
    const next = async () => (await readJob(t.db, job.jobId))!.next;
    await until(
      'the held notice recorded',
      async () => {
        const step = await next();
        return step.kind === 'SIGNATURES' && step.held.length > 0 ? step : undefined;
      },
      30_000,
    );
    const held = await next();
    expect(held).toMatchObject({ kind: 'SIGNATURES', group: 1, groups: 1, waitingFor: 2 });
    // Only the SMS-only signer waits; the e-mail went out at once.
    expect(held.kind === 'SIGNATURES' && held.held).toEqual([
      { signerId: smsSigner, number: 2, name: null, until: morning, reason: 'SMS_QUIET_HOURS' },
    ]);
    // The words every screen shows, and the API's view, from the same step.
    const [, heldText] = nextStepTexts(translator('en'), 'en', held);
    expect(heldText).toMatch(
      /^The notice to Signer 2 is held until .* 08:00 \(no SMS between 22:00 and 08:00\)\.$/,
    );
    expect(nextStepView(held).held).toEqual([
      { signerId: smsSigner, until: morning, reason: 'SMS_QUIET_HOURS' },
    ]);

    // After 08:00 the SMS goes out and nothing is held any more.
    await env.sleep(Date.parse(morning) - (await env.currentTimeMs()) + 60_000);
    await smsOfJob(job.jobId);
    await until(
      'the SMS recorded',
      async () => {
        const step = await next();
        return step.kind === 'SIGNATURES' && step.held.length === 0 ? step : undefined;
      },
      30_000,
    );
  });

  it('a signer reached by e-mail and SMS gets the link by e-mail and, on asking, the code by SMS', async () => {
    const job = await start({ signers: [{ channels: { email: true, sms: true }, language: 'EN' }] });
    const [mail] = await mailTo(job.emails[0]!);
    expect(mail!.text).toContain('When you open the link, you get a one-time code by SMS.');
    expect(mail!.text).not.toMatch(/\b\d{6}\b/);
    const { token } = linkIn(mail!.text!);
    // The link alone lets nobody in: no code exists until the signer asks for one.
    expect(await signerLinkState(t.db, token)).toMatchObject({ codeChannel: 'SMS', hasCode: false });
    expect(await checkSignerCode(t.db, token, '123456')).toMatchObject({ ok: false, reason: 'NO_CODE' });

    const sent = await sendSignerCode({ db: t.db, notifications: notices.adapters }, token, 'en');
    expect(sent).toMatchObject({ ok: true, channel: 'SMS' });
    const [sms] = await codeSmsOf(job.signerIds[0]!);
    expect(sms!.to_number).toMatch(/^\+479/);
    const code = /One-time code for signing with Test Sender: (\d{6})\./.exec(sms!.text)?.[1];
    expect(code, sms!.text).toBeDefined();
    // Not in any e-mail: the code travelled apart from the link.
    const mails = await mailTo(job.emails[0]!);
    expect(mails.some((m) => m.text?.includes(code!))).toBe(false);
    expect(await checkSignerCode(t.db, token, code!)).toMatchObject({ ok: true, signerId: job.signerIds[0] });
    // A second code at once is refused (one a minute), so a link holder cannot flood the phone.
    expect(await sendSignerCode({ db: t.db, notifications: notices.adapters }, token, 'en')).toMatchObject({
      ok: false,
      reason: 'NOT_NOW',
    });
  });

  it('a language the signer chose since activation applies to the reminders that follow', async () => {
    const job = await start({ signers: [{ channels: { email: true } }], availableSeconds: 10 * 24 * 3600 });
    expect((await mailTo(job.emails[0]!)).map((m) => m.subject)).toEqual([
      'Du har et dokument å signere fra Test Sender',
    ]);
    // What the signing page does when the signer picks English there.
    const changed = await rememberSignerLanguage(
      t.db,
      { jobId: job.jobId, signerId: job.signerIds[0]!, flow: 'portal' },
      'EN',
    );
    expect(changed).toBe(true);
    await env.sleep(6 * DAY);
    const mails = await mailTo(job.emails[0]!);
    expect(mails.map((m) => m.subject)).toEqual([
      'Du har et dokument å signere fra Test Sender',
      'Reminder: you have a document to sign from Test Sender',
    ]);
    expect(mails[1]!.text).toContain('You have not yet signed a document from Test Sender.');
  });
});

describe('the contact and reservation register', () => {
  it('a reserved person fails the job before anyone of the group is notified', async () => {
    const before = (await notices.messages()).length;
    const job = await start({ signers: [{ pid: KARI.pid }, { pid: NILS.pid }] });
    const s = await job.state();
    expect(s.status).toBe('FAILED');
    expect(s.failureReason).toBe('RESERVED');
    expect(s.signers.map((x) => x.status)).toEqual(['NOT_APPLICABLE', 'RESERVED']);
    expect(s.groups[0]!.activatedAt).toBeUndefined();
    expect((await notices.messages()).length).toBe(before);
  });

  it('a person without contact details: CONTACT_INFORMATION_MISSING', async () => {
    const job = await start({ signers: [{ pid: EMIL.pid }] });
    const s = await job.state();
    expect(s.status).toBe('FAILED');
    expect(s.signers[0]!.status).toBe('CONTACT_INFORMATION_MISSING');
  });

  it('the register is asked again before a reminder: a reservation since then fails the job', async () => {
    const job = await start({
      signers: [{ pid: INGRID.pid, channels: { email: true } }],
      availableSeconds: 10 * 24 * 3600,
    });
    expect((await job.state()).status).toBe('IN_PROGRESS');
    const activationMails = (await mailTo(INGRID.email!)).length;
    await t.db
      .updateTable('dev_contact_register')
      .set({ reserved: true })
      .where('pid', '=', INGRID.pid)
      .execute();
    try {
      await env.sleep(6 * DAY);
      const s = await job.state();
      expect(s.status).toBe('FAILED');
      expect(s.signers[0]!.status).toBe('RESERVED');
      expect((await mailTo(INGRID.email!)).length).toBe(activationMails);
    } finally {
      await t.db
        .updateTable('dev_contact_register')
        .set({ reserved: false })
        .where('pid', '=', INGRID.pid)
        .execute();
    }
  });
});

describe('digital mailbox', () => {
  it('the signed copy goes to mailboxes; a mailbox created within 7 days still gets it, one after does not', async () => {
    const job = await start({ signers: [{ pid: KARI.pid }, { pid: INGRID.pid }, { pid: PER.pid }] });
    await job.sign(0, KARI.name);
    await job.sign(1, INGRID.name);
    await job.sign(2, PER.name);
    await env.sleep(60_000);
    expect((await job.state()).status).toBe('COMPLETED_SUCCESSFULLY');
    const delivered = async () =>
      (
        await t.db.selectFrom('dev_mailbox_messages').select('pid').where('job_id', '=', job.jobId).execute()
      ).map((m) => m.pid);
    expect(await delivered()).toEqual([KARI.pid]);
    // The others are told they can create a mailbox within 7 days.
    expect((await mailTo(INGRID.email!)).some((m) => /digital postkasse/.test(m.text ?? ''))).toBe(true);

    // The job's workflow has ended; the hourly retention sweep asks the mailboxes again.
    expect((await job.handle.describe()).status.name).toBe('COMPLETED');
    const mailbox = createDevDigitalMailbox(t.db);
    await env.sleep(3 * DAY);
    await mailbox.createAccount(INGRID.pid);
    await env.sleep(2 * DAY);
    expect((await runRetentionSweep(env, taskQueue)).offersRechecked).toBeGreaterThanOrEqual(1);
    expect((await delivered()).sort()).toEqual([KARI.pid, INGRID.pid].sort());

    await env.sleep(4 * DAY); // day 9: the offer has closed
    await mailbox.createAccount(PER.pid);
    await env.sleep(2 * DAY);
    await runRetentionSweep(env, taskQueue);
    expect((await delivered()).sort()).toEqual([KARI.pid, INGRID.pid].sort());
    const offers = await t.db
      .selectFrom('mailbox_forwards')
      .select(['signer_id', 'status'])
      .where('job_id', '=', job.jobId)
      .execute();
    expect(offers.map((o) => o.status).sort()).toEqual(['DELIVERED', 'DELIVERED', 'EXPIRED']);
  });
});

describe('sender callbacks', () => {
  let server: Server;
  const received: { body: string; signature: string | undefined; attempt: string | undefined }[] = [];
  let failuresLeft = 2;
  afterAll(() => server?.close());

  it('each status change is POSTed signed; a failing receiver is retried and every attempt logged', async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(503).end();
          return;
        }
        received.push({
          body,
          signature: req.headers['x-signature'] as string | undefined,
          attempt: req.headers['x-callback-attempt'] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));

    const job = await start({ signers: [{}], callbackUrl: `http://127.0.0.1:${port}/hooks/signing` });
    await job.sign(0);
    await env.sleep(10 * 60_000);
    expect((await job.state()).status).toBe('COMPLETED_SUCCESSFULLY');

    const secrets = (await activeCallbackSecrets(t.db, '987654325')).map((s) => s.secret);
    expect(secrets.length).toBeGreaterThan(0);
    const bodies = received.map((r) => JSON.parse(r.body) as { jobId: string; status: string });
    expect(bodies.every((b) => b.jobId === job.jobId)).toBe(true);
    expect(bodies.map((b) => b.status)).toContain('COMPLETED_SUCCESSFULLY');
    for (const r of received) {
      // Verified at receipt time: the signature's timestamp is the server's (skipped) clock.
      const ts = Number(/t=(\d+)/.exec(r.signature ?? '')?.[1]);
      expect(verifyCallbackSignature({ header: r.signature, body: r.body, secrets, now: ts })).toBe(true);
    }
    const log = await t.db
      .selectFrom('callback_deliveries')
      .select(['attempt', 'status_code'])
      .where('job_id', '=', job.jobId)
      .execute();
    expect(log.filter((l) => l.status_code === 503)).toHaveLength(2);
    expect(log.filter((l) => l.status_code === 204).length).toBe(received.length);
    expect(Math.max(...log.map((l) => l.attempt))).toBeGreaterThan(1);
  });
});
