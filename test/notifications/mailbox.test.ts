/** Digital mailbox: the development mailbox, the HTTP client, and forwarding with the 7-day offer. */
import { describe, expect, it } from 'vitest';
import { listDevMailbox } from '../../src/notifications/dev-outbox.js';
import { seedDevContactRegister } from '../../src/notifications/dev-register-seed.js';
import { createDevDigitalMailbox, createHttpDigitalMailbox } from '../../src/notifications/mailbox.js';
import {
  forwardToMailbox,
  MAILBOX_OFFER_DAYS,
  pendingMailboxDeliveries,
} from '../../src/notifications/mailbox-forwarding.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { insertJobRow } from '../helpers/jobs.js';
import { json, startHttpServer, useTestDatabase } from '../helpers/notification-stand-ins.js';

const db = useTestDatabase(seedDevContactRegister);

const PDF = new TextEncoder().encode('%PDF-1.7 signed');
const DAY = 24 * 60 * 60 * 1000;
const withMailbox = testPopulation.find((p) => p.hasMailbox)!;
const withoutMailbox = testPopulation.filter((p) => !p.hasMailbox && !p.reserved);

describe('development mailbox', () => {
  it('knows the seeded mailboxes, opens new ones and delivers once per idempotency key', async () => {
    const mailbox = createDevDigitalMailbox(db());
    expect(await mailbox.hasMailbox(withMailbox.pid)).toBe(true);
    const person = withoutMailbox[0]!.pid;
    expect(await mailbox.hasMailbox(person)).toBe(false);
    await expect(
      mailbox.deliver({ pid: person, jobId: 'j', fileName: 'a.pdf', pdf: PDF, idempotencyKey: 'x' }),
    ).rejects.toMatchObject({ name: 'MailboxError' });
    await mailbox.createAccount(person);
    await mailbox.createAccount(person); // idempotent
    expect(await mailbox.hasMailbox(person)).toBe(true);
    const delivery = {
      pid: person,
      jobId: 'job-a',
      fileName: 'kontrakt.pdf',
      pdf: PDF,
      idempotencyKey: 'mailbox:job-a:s1',
    };
    await mailbox.deliver(delivery);
    await mailbox.deliver(delivery);
    const { messages } = await listDevMailbox(db(), { pid: person });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ jobId: 'job-a', fileName: 'kontrakt.pdf', sizeBytes: PDF.length });
  });
});

describe('forwardToMailbox', () => {
  const mailboxDeps = () => ({ db: db(), mailbox: createDevDigitalMailbox(db()) });

  it('delivers at once to a signer with a mailbox, and only once however often called', async () => {
    const jobId = await insertJobRow(db());
    let loads = 0;
    const args = {
      jobId,
      signerId: 's1',
      pid: withMailbox.pid,
      fileName: 'signert.pdf',
      loadPdf: async () => {
        loads++;
        return PDF;
      },
      now: new Date('2026-03-01T12:00:00Z'),
    };
    expect(await forwardToMailbox(mailboxDeps(), args)).toEqual({ status: 'DELIVERED' });
    expect(await forwardToMailbox(mailboxDeps(), args)).toEqual({ status: 'DELIVERED' });
    expect(loads).toBe(1);
    const { messages } = await listDevMailbox(db(), { pid: withMailbox.pid });
    expect(messages.filter((m) => m.jobId === jobId)).toHaveLength(1);
  });

  it('offers the copy for 7 days: a mailbox created on day 6 still receives it', async () => {
    const jobId = await insertJobRow(db());
    const person = withoutMailbox[1]!.pid;
    const start = new Date('2026-03-01T12:00:00Z');
    const args = {
      jobId,
      signerId: 's2',
      pid: person,
      fileName: 'signert.pdf',
      loadPdf: async () => PDF,
      now: start,
    };
    const offeredUntil = new Date(start.getTime() + MAILBOX_OFFER_DAYS * DAY);

    expect(await forwardToMailbox(mailboxDeps(), args)).toEqual({ status: 'PENDING', offeredUntil });
    // A later check does not restart the 7 days.
    expect(
      await forwardToMailbox(mailboxDeps(), { ...args, now: new Date(start.getTime() + 3 * DAY) }),
    ).toEqual({
      status: 'PENDING',
      offeredUntil,
    });
    expect(await pendingMailboxDeliveries(db(), new Date(start.getTime() + 3 * DAY))).toContainEqual({
      jobId,
      signerId: 's2',
      offeredUntil,
    });

    await createDevDigitalMailbox(db()).createAccount(person);
    const day6 = new Date(start.getTime() + 6 * DAY);
    expect(await forwardToMailbox(mailboxDeps(), { ...args, now: day6 })).toEqual({ status: 'DELIVERED' });
    expect((await listDevMailbox(db(), { pid: person })).messages.map((m) => m.jobId)).toContain(jobId);
    expect((await pendingMailboxDeliveries(db(), day6)).map((p) => p.jobId)).not.toContain(jobId);
    const row = await db()
      .selectFrom('mailbox_forwards')
      .selectAll()
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.delivered_at).toEqual(day6);
  });

  it('expires the offer after 7 days: a mailbox created later gets nothing', async () => {
    const jobId = await insertJobRow(db());
    const person = withoutMailbox[2]!.pid;
    const start = new Date('2026-03-01T12:00:00Z');
    const args = {
      jobId,
      signerId: 's3',
      pid: person,
      fileName: 'signert.pdf',
      loadPdf: async () => PDF,
      now: start,
    };
    await forwardToMailbox(mailboxDeps(), args);
    const end = new Date(start.getTime() + MAILBOX_OFFER_DAYS * DAY);
    // The last check, timed for the end of the offer, settles it.
    expect(await forwardToMailbox(mailboxDeps(), { ...args, now: end })).toEqual({ status: 'EXPIRED' });
    await createDevDigitalMailbox(db()).createAccount(person);
    expect(await forwardToMailbox(mailboxDeps(), { ...args, now: new Date(end.getTime() + DAY) })).toEqual({
      status: 'EXPIRED',
    });
    expect((await listDevMailbox(db(), { pid: person })).messages.map((m) => m.jobId)).not.toContain(jobId);
    expect((await pendingMailboxDeliveries(db(), start)).map((p) => p.jobId)).not.toContain(jobId);
  });
});

describe('HTTP mailbox client', () => {
  it('looks up and delivers through the documented endpoints', async () => {
    const server = await startHttpServer((req, res) =>
      req.url === '/mbx/mailboxes/lookup' ? json(res, 200, { active: true }) : res.writeHead(201).end(),
    );
    try {
      const mailbox = createHttpDigitalMailbox({ baseUrl: `${server.url}/mbx`, bearerToken: 'tok' });
      expect(await mailbox.hasMailbox('01010112345')).toBe(true);
      await mailbox.deliver({
        pid: '01010112345',
        jobId: 'j1',
        fileName: 'a.pdf',
        pdf: PDF,
        idempotencyKey: 'mailbox:j1:s1',
      });
      const [lookup, delivery] = server.requests;
      expect(lookup?.headers.authorization).toBe('Bearer tok');
      expect(JSON.parse(lookup!.body)).toEqual({ pid: '01010112345' });
      expect(delivery?.url).toBe('/mbx/messages');
      expect(delivery?.headers['idempotency-key']).toBe('mailbox:j1:s1');
      expect(JSON.parse(delivery!.body)).toEqual({
        pid: '01010112345',
        jobId: 'j1',
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        pdfBase64: Buffer.from(PDF).toString('base64'),
      });
    } finally {
      await server.close();
    }
  });

  it('throws on an error status, so the activity retries', async () => {
    const server = await startHttpServer((_req, res) => json(res, 502, {}));
    try {
      const mailbox = createHttpDigitalMailbox({ baseUrl: server.url, bearerToken: 'tok' });
      await expect(mailbox.hasMailbox('01010112345')).rejects.toMatchObject({ name: 'MailboxError' });
    } finally {
      await server.close();
    }
  });
});
