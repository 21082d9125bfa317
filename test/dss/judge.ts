/**
 * EU DSS (test/dss, a Maven project on eu.europa.ec.joinup.sd-dss 6.3) as a child process: built
 * once per run (offline when the dependencies are warm, as `scripts/bootstrap.sh --test` leaves
 * them), then run once over all the files to judge: one JVM start, one JSON line per file.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const PROJECT = resolve(import.meta.dirname);
const run = promisify(execFile);

export interface DssTimestamp {
  id: string;
  /** SIGNATURE_TIMESTAMP, ARCHIVE_TIMESTAMP (a PDF document time-stamp is one too), … */
  type: string | null;
  /** PASSED, INDETERMINATE or FAILED. */
  indication: string | null;
  subIndication: string | null;
  messageImprintIntact: boolean;
  errors: string[];
}

export interface DssSignature {
  id: string;
  /** TOTAL_PASSED, INDETERMINATE or TOTAL_FAILED. */
  indication: string | null;
  subIndication: string | null;
  /** E.g. XAdES-BASELINE-LTA, PAdES-BASELINE-LTA. */
  level: string | null;
  errors: string[];
  timestamps: DssTimestamp[];
}

export interface DssVerdict {
  file: string;
  signatures: DssSignature[];
  /** Time-stamps DSS found on their own (not attached to a signature). */
  timestamps: DssTimestamp[];
  error?: string;
}

/** `mvn package` (offline first); the classpath of the built judge. */
export async function buildDssJudge(): Promise<string> {
  const mvn = (args: string[]) =>
    run('mvn', ['-q', '-B', ...args, 'package'], { cwd: PROJECT, timeout: 540_000 });
  try {
    await mvn(['-o']);
  } catch {
    await mvn([]);
  }
  const deps = (await readFile(join(PROJECT, 'target/classpath.txt'), 'utf8')).trim();
  return `${join(PROJECT, 'target/classes')}:${deps}`;
}

/** Validates every file in one JVM, trusting the roots in `rootsPemFile`; verdicts by file name. */
export async function judge(
  classpath: string,
  rootsPemFile: string,
  files: string[],
): Promise<Map<string, DssVerdict>> {
  const args = ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath, 'testdss.Judge'];
  const { stdout } = await run('java', [...args, rootsPemFile, ...files], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const verdicts = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as DssVerdict);
  return new Map(verdicts.map((v) => [v.file, v]));
}
