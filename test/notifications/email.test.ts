/**
 * E-mail through a real SMTP server (the development sink), read back with mailparser: every
 * notice in both languages, the deterministic Message-ID, and permanent failures.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeMailer,
  createMailer,
  type Mailer,
  messageIdFor,
  sendEmail,
} from '../../src/notifications/mailer.js';
import { renderSenderNotice, type SenderNotice } from '../../src/notifications/templates/sender.js';
import { renderSignerNotice, type SignerNotice } from '../../src/notifications/templates/signer.js';
import { titleForNotice } from '../../src/notifications/title.js';
import { startTestSmtpSink } from '../helpers/notification-stand-ins.js';
import { freePort } from '../helpers/ports.js';

const FROM = '"Signeringstjenesten" <noreply@signering.example.no>';
const DEADLINE = new Date('2026-03-12T13:30:00Z'); // 14:30 in Oslo
const LINK = 'https://signering.example.no/portal/jobs/42?a=1&b=2';

let sink: Awaited<ReturnType<typeof startTestSmtpSink>>;
let mailer: Mailer;

beforeAll(async () => {
  sink = await startTestSmtpSink();
  mailer = createMailer(sink.url, { from: FROM });
});
afterAll(async () => {
  closeMailer(mailer);
  await sink.stop();
});

/** Every message the sink holds, parsed, keyed by Message-ID (several when duplicated). */
async function received(): Promise<ParsedMail[]> {
  const files = (await readdir(sink.dir)).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(sink.dir, f)))));
}

async function sendAndReceive(
  to: string,
  rendered: { subject: string; text: string; html: string },
  key: string,
) {
  const { messageId } = await sendEmail(mailer, { to, ...rendered }, { idempotencyKey: key });
  const mail = (await received()).find((m) => m.messageId === messageId);
  expect(mail, `message ${key} arrived`).toBeDefined();
  return mail!;
}

describe('signer notices over SMTP', () => {
  const title = titleForNotice({
    title: 'Oppsigelse av arbeidsforhold',
    nonsensitiveTitle: 'Dokument fra HR',
    requiredAuthentication: 4,
    contactFromRegister: false,
  });
  const notices: SignerNotice[] = [
    { kind: 'ACTIVATION', senderName: 'Oslo kommune', title, deadline: DEADLINE, link: LINK },
    { kind: 'REMINDER', senderName: 'Oslo kommune', title, deadline: DEADLINE, link: LINK },
    { kind: 'CANCELLATION', senderName: 'Oslo kommune', title },
    { kind: 'MAILBOX_DELIVERED', senderName: 'Oslo kommune', title, link: LINK },
    { kind: 'MAILBOX_OFFER', senderName: 'Oslo kommune', title, offeredUntil: DEADLINE, link: LINK },
  ];

  for (const notice of notices) {
    for (const locale of ['no', 'en'] as const) {
      it(`${notice.kind} (${locale}) arrives with the non-sensitive title, the link and the Oslo deadline`, async () => {
        const rendered = renderSignerNotice({ ...notice, locale });
        const mail = await sendAndReceive(
          'kari.nordmann@example.com',
          rendered,
          `job-1:s1:${notice.kind}:${locale}`,
        );
        expect(mail.subject).toBe(rendered.subject);
        expect(mail.from?.text).toContain('noreply@signering.example.no');
        expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('kari.nordmann@example.com');
        for (const body of [mail.text ?? '', mail.html || '']) {
          expect(body).toContain('Dokument fra HR');
          expect(body).not.toContain('Oppsigelse');
          expect(body).toContain('Oslo kommune');
        }
        if ('link' in notice) {
          expect(mail.text).toContain(LINK);
          expect(mail.html).toContain('href="https://signering.example.no/portal/jobs/42?a=1&amp;b=2"');
        }
        if (notice.kind === 'ACTIVATION' || notice.kind === 'REMINDER' || notice.kind === 'MAILBOX_OFFER') {
          expect(mail.text).toContain(locale === 'no' ? '12. mars 2026 kl. 14:30' : '12 March 2026 at 14:30');
        }
      });
    }
  }

  it('sends a signer addressed by e-mail the unique link, with no code in it when the code goes by SMS', async () => {
    const rendered = renderSignerNotice({
      kind: 'ACTIVATION',
      senderName: 'Bank AS',
      title: 'Lånedokumenter',
      deadline: DEADLINE,
      link: 'https://signering.example.no/s/unique-token',
      codeBy: 'SMS',
    });
    const mail = await sendAndReceive('ola@example.com', rendered, 'job-2:s1:ACTIVATION');
    expect(mail.text).toContain('https://signering.example.no/s/unique-token');
    expect(mail.text).toContain('Når du åpner lenken, får du en engangskode på SMS.');
    expect(mail.text).not.toContain('Engangskode:');
  });

  it('arrives with every sender-supplied value escaped in the HTML', async () => {
    const rendered = renderSignerNotice({
      kind: 'ACTIVATION',
      senderName: '<b>Evil</b> & "Co"',
      title: '<script>alert(1)</script>',
      deadline: DEADLINE,
      link: LINK,
    });
    const mail = await sendAndReceive('per@example.com', rendered, 'job-3:s1:ACTIVATION');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>Evil</b>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.text).toContain('<script>alert(1)</script>');
  });
});

describe('sender notices over SMTP', () => {
  const notices: SenderNotice[] = [
    {
      kind: 'STATUS_CHANGED',
      status: 'COMPLETED_SUCCESSFULLY',
      title: 'Leieavtale',
      link: LINK,
      signed: 2,
      signers: 2,
    },
    { kind: 'DEADLINE_SOON', deadline: DEADLINE, title: 'Leieavtale', link: LINK, signed: 0, signers: 2 },
    {
      kind: 'DOCUMENTS_EXPIRE_SOON',
      expiresAt: DEADLINE,
      title: 'Leieavtale',
      link: LINK,
      signed: 2,
      signers: 2,
    },
  ];
  for (const notice of notices) {
    for (const locale of ['no', 'en'] as const) {
      it(`${notice.kind} (${locale}) arrives with the title, the time and the link`, async () => {
        const rendered = renderSenderNotice({ ...notice, locale });
        const mail = await sendAndReceive(
          'ops@sender.example.com',
          rendered,
          `job-4:sender:${notice.kind}:${locale}`,
        );
        expect(mail.subject).toBe(rendered.subject);
        expect(mail.text).toContain('Leieavtale');
        expect(mail.text).toContain(LINK);
        if (notice.kind !== 'STATUS_CHANGED') {
          expect(mail.text).toContain(locale === 'no' ? '12. mars 2026 kl. 14:30' : '12 March 2026 at 14:30');
        }
      });
    }
  }
});

describe('sendEmail', () => {
  it('derives the Message-ID from the idempotency key, so a resent notice is recognisable', async () => {
    const rendered = renderSignerNotice({
      kind: 'CANCELLATION',
      senderName: 'Oslo kommune',
      title: 'Avtale',
    });
    const first = await sendEmail(
      mailer,
      { to: 'a@example.com', ...rendered },
      { idempotencyKey: 'job-5:s1:CANCEL' },
    );
    const again = await sendEmail(
      mailer,
      { to: 'a@example.com', ...rendered },
      { idempotencyKey: 'job-5:s1:CANCEL' },
    );
    const other = await sendEmail(
      mailer,
      { to: 'a@example.com', ...rendered },
      { idempotencyKey: 'job-5:s2:CANCEL' },
    );
    expect(first.messageId).toBe(messageIdFor('job-5:s1:CANCEL', 'signering.example.no'));
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    const ids = (await received()).map((m) => m.messageId);
    expect(ids.filter((id) => id === first.messageId)).toHaveLength(2);
    expect(first.messageId).toMatch(/^<[0-9a-f]{40}@signering\.example\.no>$/);
  });

  it('refuses an unusable address without retrying', async () => {
    const rendered = renderSignerNotice({ kind: 'CANCELLATION', senderName: 'X', title: 'Y' });
    const err = await sendEmail(mailer, { to: 'not-an-address', ...rendered }, { idempotencyKey: 'k' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidEmailAddress', nonRetryable: true });
  });

  it('fails for good on a permanent SMTP refusal (5xx) and retryably on a temporary one (4xx)', async () => {
    const port = await freePort();
    let code = 550;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('no such user'), { responseCode: code }));
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const refusing = createMailer(`smtp://127.0.0.1:${port}`, { from: FROM });
    const rendered = renderSignerNotice({ kind: 'CANCELLATION', senderName: 'X', title: 'Y' });
    try {
      const permanent = await sendEmail(
        refusing,
        { to: 'gone@example.com', ...rendered },
        { idempotencyKey: 'p' },
      ).catch((e) => e);
      expect(permanent).toMatchObject({ type: 'EmailRejected', nonRetryable: true });
      expect(String(permanent.message)).not.toContain('gone@example.com');
      code = 451;
      const temporary = await sendEmail(
        refusing,
        { to: 'busy@example.com', ...rendered },
        { idempotencyKey: 't' },
      ).catch((e) => e);
      expect(temporary).toBeInstanceOf(Error);
      expect(temporary).not.toBeInstanceOf(ApplicationFailure);
    } finally {
      closeMailer(refusing);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
