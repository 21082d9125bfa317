/**
 * Development outbox: what the service "sent" in development, like a mail catcher. The e-mails
 * the SMTP sink received, the SMS log and the digital mailbox, as plain HTML pages (no client
 * code) and as JSON with `?format=json` for tests. Mount only outside production.
 *
 * Message HTML is untrusted (it holds what senders typed): it is shown in a sandboxed iframe
 * through `srcdoc`, so it can neither run scripts nor reach this page.
 */

import type { Context } from 'hono';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../src/db/index.js';
import {
  listDevMail,
  listDevMailbox,
  listDevSms,
  readDevMail,
  readDevMailboxPdf,
} from '../../src/notifications/dev-outbox.js';
import { createDevDigitalMailbox } from '../../src/notifications/mailbox.js';

export interface DevOutboxDeps {
  db: Db;
  /** Where the development SMTP sink writes its .eml files (`<DATA_DIR>/mail`). */
  mailDir: string;
}

// Inline styles only; nothing is loaded, nothing runs.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'";

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.4;color:#111}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:bold;margin-bottom:.5rem}nav a{margin-right:1rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}
iframe{width:100%;height:32rem;border:1px solid #ccc}.dup{color:#a00;font-weight:bold}:focus{outline:3px solid #1a73e8}`;

/** Links are relative to the page, so the routes work wherever the lead mounts them. */
function page(c: Context, title: string, up: string, body: unknown) {
  c.header('Content-Security-Policy', CSP);
  c.header('Cache-Control', 'no-store');
  return c.html(html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · development outbox</title><style>${STYLE}</style></head>
<body>
<nav aria-label="Development outbox"><a href="${up}mail">E-mail</a><a href="${up}sms">SMS</a><a href="${up}mailbox">Digital mailbox</a></nav>
<main><h1>${title}</h1>${body}</main>
</body>
</html>`);
}

const wantsJson = (c: Context) => c.req.query('format') === 'json';

export function devOutboxRoutes(deps: DevOutboxDeps) {
  const app = new Hono();
  const mailbox = createDevDigitalMailbox(deps.db);

  app.get('/dev/mail', async (c) => {
    const mails = await listDevMail(deps.mailDir);
    if (wantsJson(c)) return c.json({ messages: mails });
    const rows = mails.map(
      (m) => html`<tr>
<td><time datetime="${m.date ?? ''}">${m.date ?? ''}</time></td><td>${m.to}</td>
<td><a href="mail/${m.id}">${m.subject || '(no subject)'}</a>${m.duplicate ? html` <span class="dup">duplicate Message-ID</span>` : ''}</td></tr>`,
    );
    return page(
      c,
      'E-mail',
      '',
      mails.length === 0
        ? html`<p>No e-mail received yet.</p>`
        : html`<table><caption>${mails.length} messages received by the development SMTP sink, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    );
  });

  app.get('/dev/mail/:id', async (c) => {
    const mail = await readDevMail(deps.mailDir, c.req.param('id'));
    if (!mail) return c.json({ error: 'NOT_FOUND', message: 'no such message' }, 404);
    if (wantsJson(c)) return c.json(mail);
    return page(
      c,
      mail.subject || '(no subject)',
      '..',
      html`<table><caption>Headers</caption><tbody>
<tr><th scope="row">From</th><td>${mail.from}</td></tr>
<tr><th scope="row">To</th><td>${mail.to}</td></tr>
<tr><th scope="row">Date</th><td>${mail.date ?? ''}</td></tr>
<tr><th scope="row">Message-ID</th><td><code>${mail.messageId ?? ''}</code></td></tr>
</tbody></table>
<h2>Plain text</h2><pre>${mail.text}</pre>
<h2>HTML</h2>${
        mail.html === null
          ? html`<p>This message has no HTML part.</p>`
          : html`<iframe sandbox="" title="HTML part of the message" srcdoc="${mail.html}"></iframe>`
      }
<p><a href="../mail">Back to all e-mail</a></p>`,
    );
  });

  app.get('/dev/sms', async (c) => {
    const messages = await listDevSms(deps.db);
    if (wantsJson(c)) return c.json({ messages });
    const rows = messages.map(
      (m) =>
        html`<tr><td><time datetime="${m.at}">${m.at}</time></td><td>${m.to}</td><td>${m.text}</td></tr>`,
    );
    return page(
      c,
      'SMS',
      '',
      messages.length === 0
        ? html`<p>No SMS sent yet.</p>`
        : html`<table><caption>${messages.length} SMS recorded by the development gateway, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">To</th><th scope="col">Text</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    );
  });

  app.get('/dev/mailbox', async (c) => {
    const pid = c.req.query('pid')?.trim() || undefined;
    const { accounts, messages } = await listDevMailbox(deps.db, pid ? { pid } : {});
    if (wantsJson(c)) return c.json({ accounts, messages });
    // Loaded, not imported: production code never loads the test population (dev-register-seed.ts).
    const { testPersonName } = await import('../../src/notifications/dev-register-seed.js');
    const who = (p: string) => testPersonName(p) ?? '';
    return page(
      c,
      pid ? `Digital mailbox of ${who(pid) || pid}` : 'Digital mailbox',
      '',
      html`<form method="get" action="mailbox">
<label for="pid">Identity number</label> <input id="pid" name="pid" inputmode="numeric" pattern="[0-9]{11}" value="${pid ?? ''}">
<button type="submit">Show this person</button></form>
<form method="post" action="mailbox/accounts">
<label for="new-pid">Open a mailbox for identity number</label> <input id="new-pid" name="pid" inputmode="numeric" pattern="[0-9]{11}" required>
<button type="submit">Open mailbox</button></form>
<h2>Messages</h2>${
        messages.length === 0
          ? html`<p>No documents delivered.</p>`
          : html`<table><caption>${messages.length} documents delivered, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Person</th><th scope="col">Job</th><th scope="col">Document</th></tr></thead>
<tbody>${messages.map(
              (m) => html`<tr><td><time datetime="${m.at}">${m.at}</time></td>
<td><a href="mailbox?pid=${m.pid}">${who(m.pid)} ${m.pid}</a></td><td><code>${m.jobId}</code></td>
<td><a href="mailbox/${m.id}/pdf">${m.fileName}</a> (${m.sizeBytes} bytes)</td></tr>`,
            )}</tbody></table>`
      }
<h2>Accounts</h2>${
        accounts.length === 0
          ? html`<p>No mailbox accounts.</p>`
          : html`<table><caption>People with a digital mailbox</caption>
<thead><tr><th scope="col">Person</th><th scope="col">Opened</th></tr></thead>
<tbody>${accounts.map(
              (a) =>
                html`<tr><td><a href="mailbox?pid=${a.pid}">${who(a.pid)} ${a.pid}</a></td><td>${a.createdAt}</td></tr>`,
            )}</tbody></table>`
      }`,
    );
  });

  // Opening a mailbox by hand plays the "created within 7 days" case in development.
  app.post('/dev/mailbox/accounts', async (c) => {
    const form = await c.req.parseBody();
    const pid = typeof form.pid === 'string' ? form.pid.trim() : '';
    if (!/^\d{11}$/.test(pid)) return c.json({ error: 'BAD_REQUEST', message: 'pid must be 11 digits' }, 400);
    await mailbox.createAccount(pid);
    return wantsJson(c) ? c.json({ pid }, 201) : c.redirect(`../mailbox?pid=${pid}`, 303);
  });

  app.get('/dev/mailbox/:id/pdf', async (c) => {
    const found = await readDevMailboxPdf(deps.db, c.req.param('id'));
    if (!found) return c.json({ error: 'NOT_FOUND', message: 'no such document' }, 404);
    const safeName = found.fileName.replace(/[^\w.-]/g, '_');
    return c.body(new Uint8Array(found.pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${safeName}"`,
    });
  });

  return app;
}
