/**
 * A local SMTP server that accepts every message and keeps it as an .eml file, so development
 * sends real SMTP without reaching anyone. Production points SMTP_URL at a real relay instead.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { SMTPServer } from 'smtp-server';

export interface RunningSmtpSink {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startSmtpSink(opts: { port: number; dir: string }): Promise<RunningSmtpSink> {
  await mkdir(opts.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Keep a runaway sender from filling the disk: 25 MB per message.
    size: 25 * 1024 * 1024,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
        writeFile(`${opts.dir}/${name}`, Buffer.concat(chunks)).then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    url: `smtp://127.0.0.1:${opts.port}`,
    dir: opts.dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
