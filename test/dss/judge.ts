/**
 * EU DSS (test/dss, a Maven project on eu.europa.ec.joinup.sd-dss 6.3) as a child process: built
 * once per run (offline when the dependencies are warm, as `scripts/bootstrap.sh --test` leaves
 * them), then run once over all the files to judge: one JVM start, one JSON line per file.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildMavenProject } from '../helpers/maven.js';

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
export const buildDssJudge = (): Promise<string> => buildMavenProject(PROJECT);

/** Validates every file in one JVM, trusting the roots in `rootsPemFile`; verdicts by file name. */
export async function judge(
  classpath: string,
  rootsPemFile: string,
  files: string[],
): Promise<Map<string, DssVerdict>> {
  const args = [
    // One short run: the quick compiler alone and one GC thread start and finish it about three
    // times faster than the defaults on a busy machine (14 against 39 s for seven files).
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-cp',
    classpath,
    'testdss.Judge',
  ];
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
