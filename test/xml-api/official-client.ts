/**
 * The official Java client (test/official-client) as a child process: built once per run with
 * Maven (offline when the dependencies are warm, as `scripts/bootstrap.sh --test` leaves them),
 * then driven line by line. Each command is one line of TAB-separated fields; each answer one
 * JSON line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { buildMavenProject } from '../helpers/maven.js';

const PROJECT = resolve(import.meta.dirname, '../official-client');

/** `mvn package` (offline first); the classpath of the built program. */
export const buildOfficialClient = (): Promise<string> => buildMavenProject(PROJECT);

export type Answer = Record<string, unknown> & { error?: string; message?: string };

export class OfficialClient {
  private readonly lines: AsyncIterator<string>;
  readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
  }

  static async start(
    classpath: string,
    args: { serviceUrl: string; caDir: string; serverOrg: string; dumpDir: string },
  ) {
    const child = spawn('java', [
      '-cp',
      classpath,
      'testclient.Main',
      args.serviceUrl,
      args.caDir,
      args.serverOrg,
      args.dumpDir,
    ]);
    const client = new OfficialClient(child);
    const ready = await client.next();
    if (!ready.ready) throw new Error(`the official client did not start: ${client.stderr.join('')}`);
    return client;
  }

  private async next(): Promise<Answer> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`the official client exited: ${this.stderr.join('').slice(-2000)}`);
    return JSON.parse(value) as Answer;
  }

  /** Runs one command; the answer, or {error: <exception class>, message}. */
  async run(...fields: string[]): Promise<Answer> {
    this.child.stdin.write(`${fields.join('\t')}\n`);
    return this.next();
  }

  /** Runs a command that must succeed. */
  async ok(...fields: string[]): Promise<Answer> {
    const answer = await this.run(...fields);
    if (answer.error)
      throw new Error(
        `${fields[0]}: ${answer.error}: ${answer.message}\n${this.stderr.join('').slice(-3000)}`,
      );
    return answer;
  }

  stop() {
    this.child.stdin.end();
    this.child.kill();
  }
}
