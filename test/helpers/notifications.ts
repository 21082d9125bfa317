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
