/**
 * A real SMTP server for fault tests that keeps to SMTP's rule of responsibility (RFC 5321,
 * 6.1): a message is delivered only when the server answers 250 to its DATA. A hook sees each
 * message before that answer and may, for instance, kill the sending worker there; a message whose
 * client is gone by then was never accepted, exactly as with a real relay.
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface FaultSmtp {
  url: string;
  /** Messages answered with 250, parsed, in order of arrival. */
  delivered: ParsedMail[];
  /** How many messages reached DATA in all, delivered or not. */
  attempts(): number;
  /** Runs before the 250 of the next message only (then is cleared). */
  beforeNextAccept(hook: (mail: ParsedMail) => Promise<void>): void;
  stop(): Promise<void>;
}

/** `keep: false` counts messages without keeping them (long benchmarks send tens of thousands). */
export async function startFaultSmtp(port: number, opts: { keep?: boolean } = {}): Promise<FaultSmtp> {
  const delivered: ParsedMail[] = [];
  const closedSessions = new Set<string>();
  let attempts = 0;
  let hook: ((mail: ParsedMail) => Promise<void>) | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose(session) {
      closedSessions.add(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        attempts++;
        if (opts.keep === false && !hook) return callback();
        try {
          const mail = await simpleParser(Buffer.concat(chunks));
          const run = hook;
          hook = undefined;
          if (run) await run(mail);
          // The client went away before our answer: no responsibility was taken for the message.
          if (closedSessions.has(session.id)) return callback(new Error('connection lost'));
          delivered.push(mail);
          callback();
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    delivered,
    attempts: () => attempts,
    beforeNextAccept(h) {
      hook = h;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
