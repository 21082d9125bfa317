/**
 * Real notification plumbing for tests: an SMTP sink on a free loopback port (messages kept as
 * .eml files) and the development SMS gateway, contact register and mailbox on the test database.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Db } from '../../src/db/index.js';
import { startSmtpSink } from '../../src/dev/smtp-sink.js';
import { seedDevContactRegister } from '../../src/notifications/dev-register-seed.js';
import { closeMailer } from '../../src/notifications/mailer.js';
import { notificationAdaptersFromEnv } from '../../src/notifications/runtime.js';
import { freePort } from './ports.js';

export async function startTestNotifications(db: Db) {
  const dir = await mkdtemp(join(tmpdir(), 'esign-mail-'));
  const sink = await startSmtpSink({ port: await freePort(), dir });
  await seedDevContactRegister(db);
  const adapters = notificationAdaptersFromEnv(db, sink.url, { APP_ENV: 'test' });
  return {
    adapters,
    mailDir: dir,
    /** Every message the sink received, parsed, oldest first. */
    async messages(): Promise<ParsedMail[]> {
      const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
      return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))));
    },
    async stop() {
      if (adapters.mailer) closeMailer(adapters.mailer);
      await sink.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The newest one-time code the development SMS gateway sent to `mobile`, in either language;
 * waits for it up to 20 s (the code goes out a moment after the signer asks for it).
 */
export async function signerCodeFromSms(db: Db, mobile: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const rows = await db
      .selectFrom('dev_sms')
      .select('text')
      .where('to_number', '=', mobile)
      .where('idempotency_key', 'like', 'signer-code:%')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    const code = /(?:One-time code for signing with|Engangskode for signering hos) .*: (\d{6})\./.exec(
      rows[0]?.text ?? '',
    )?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no one-time code sent to ${mobile}`);
}
