/** The development outbox pages, through `app.request()`: e-mail from the SMTP sink, SMS, mailbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devOutboxRoutes } from '../../api/json/dev-outbox.js';
import { seedDevContactRegister } from '../../src/notifications/dev-register-seed.js';
import { createDevDigitalMailbox } from '../../src/notifications/mailbox.js';
import { closeMailer, createMailer, sendEmail } from '../../src/notifications/mailer.js';
import { createDevSmsGateway } from '../../src/notifications/sms.js';
import { renderSignerNotice } from '../../src/notifications/templates/signer.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestSmtpSink } from '../helpers/notification-stand-ins.js';

let t: TestDatabase;
let sink: Awaited<ReturnType<typeof startTestSmtpSink>>;
let app: ReturnType<typeof devOutboxRoutes>;
const kari = testPopulation.find((p) => p.hasMailbox)!;

beforeAll(async () => {
  [t, sink] = await Promise.all([createTestDatabase(), startTestSmtpSink()]);
  await seedDevContactRegister(t.db);
  app = devOutboxRoutes({ db: t.db, mailDir: sink.dir });

  const mailer = createMailer(sink.url, { from: 'noreply@signering.example.no' });
  const notice = renderSignerNotice({
    kind: 'ACTIVATION',
    senderName: 'Evil <script>alert(1)</script>',
    title: 'Arbeidsavtale',
    deadline: new Date('2026-03-12T13:30:00Z'),
    link: 'https://signering.example.no/portal',
  });
  await sendEmail(mailer, { to: kari.email!, ...notice }, { idempotencyKey: 'job-1:s1:ACTIVATION' });
  await sendEmail(mailer, { to: kari.email!, ...notice }, { idempotencyKey: 'job-1:s1:ACTIVATION' }); // a duplicate
  closeMailer(mailer);

  await createDevSmsGateway(t.db).send({
    to: kari.mobile!,
    text: 'Signer <b>nå</b>',
    idempotencyKey: 'job-1:s1:SMS',
  });
  await createDevDigitalMailbox(t.db).deliver({
    pid: kari.pid,
    jobId: 'job-1',
    fileName: 'avtale.pdf',
    pdf: new TextEncoder().encode('%PDF-1.7'),
    idempotencyKey: 'mailbox:job-1:s1',
  });
});
afterAll(async () => {
  await sink.stop();
  await t.db.destroy();
});

describe('GET /dev/mail', () => {
  it('lists received e-mails as JSON, marking the duplicate Message-ID', async () => {
    const res = await app.request('/dev/mail?format=json');
    expect(res.status).toBe(200);
    const { messages } = (await res.json()) as {
      messages: { id: string; to: string; subject: string; duplicate: boolean }[];
    };
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({
      to: kari.email,
      subject: 'Du har et dokument å signere fra Evil <script>alert(1)</script>',
      duplicate: true,
    });
  });

  it('lists them as an accessible HTML page with everything escaped', async () => {
    const res = await app.request('/dev/mail');
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<h1>E-mail</h1>');
    expect(page).toContain('<th scope="col">Subject</th>');
    expect(page).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toMatch(/<a href="mail\/[\w.-]+">/);
  });
});

describe('GET /dev/mail/:id', () => {
  it('shows one message: headers, text, and the HTML only inside a sandboxed iframe', async () => {
    const { messages } = (await (await app.request('/dev/mail?format=json')).json()) as {
      messages: { id: string }[];
    };
    const id = messages[0]!.id;
    const json = (await (await app.request(`/dev/mail/${id}?format=json`)).json()) as {
      text: string;
      html: string;
    };
    expect(json.text).toContain('Frist for å signere: 12. mars 2026 kl. 14:30.');
    expect(json.html).toContain('Evil &lt;script&gt;');

    const page = await (await app.request(`/dev/mail/${id}`)).text();
    expect(page).toContain('<iframe sandbox="" title="HTML part of the message" srcdoc="');
    expect(page).not.toMatch(/<script>|<p>Evil/);
    expect(page).toContain('<h2>Plain text</h2>');
    expect(page).toContain('href="../mail"');
  });

  it('answers 404 for unknown or unsafe ids', async () => {
    expect((await app.request('/dev/mail/nope')).status).toBe(404);
    expect((await app.request('/dev/mail/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
  });
});

describe('GET /dev/sms', () => {
  it('shows the recorded SMS as JSON and escaped HTML', async () => {
    const { messages } = (await (await app.request('/dev/sms?format=json')).json()) as {
      messages: unknown[];
    };
    expect(messages).toEqual([expect.objectContaining({ to: kari.mobile, text: 'Signer <b>nå</b>' })]);
    const page = await (await app.request('/dev/sms')).text();
    expect(page).toContain('Signer &lt;b&gt;nå&lt;/b&gt;');
    expect(page).toContain('<caption>1 SMS recorded by the development gateway, newest first</caption>');
  });
});

describe('/dev/mailbox', () => {
  it('shows delivered documents and accounts, per person, with the test person names', async () => {
    const json = (await (await app.request(`/dev/mailbox?format=json&pid=${kari.pid}`)).json()) as {
      accounts: { pid: string }[];
      messages: { id: string; fileName: string }[];
    };
    expect(json.accounts.map((a) => a.pid)).toEqual([kari.pid]);
    expect(json.messages).toEqual([
      expect.objectContaining({ jobId: 'job-1', fileName: 'avtale.pdf', sizeBytes: 8 }),
    ]);
    const page = await (await app.request(`/dev/mailbox?pid=${kari.pid}`)).text();
    expect(page).toContain(`<h1>Digital mailbox of ${kari.name}</h1>`);
    expect(page).toContain('<label for="pid">Identity number</label>');
    const pdf = await app.request(`/dev/mailbox/${json.messages[0]!.id}/pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(await pdf.text()).toBe('%PDF-1.7');
  });

  it('opens a mailbox for a person by form post', async () => {
    const person = testPopulation.find((p) => !p.hasMailbox)!;
    const res = await app.request('/dev/mailbox/accounts', {
      method: 'POST',
      body: new URLSearchParams({ pid: person.pid }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`../mailbox?pid=${person.pid}`);
    expect(await createDevDigitalMailbox(t.db).hasMailbox(person.pid)).toBe(true);
    const bad = await app.request('/dev/mailbox/accounts', {
      method: 'POST',
      body: new URLSearchParams({ pid: 'x' }),
    });
    expect(bad.status).toBe(400);
  });
});
