/**
 * The Java programs the tests drive (the official client, EU DSS) are small Maven projects: built
 * once per run, offline first (`scripts/bootstrap.sh --test` leaves their dependencies warm), then
 * run from their classes and the dependency classpath the build writes to target/classpath.txt.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** `mvn package` in `project` (offline first); the classpath of the built program. */
export async function buildMavenProject(project: string): Promise<string> {
  const mvn = (args: string[]) =>
    promisify(execFile)('mvn', ['-q', '-B', ...args, 'package'], { cwd: project, timeout: 540_000 });
  try {
    await mvn(['-o']);
  } catch {
    await mvn([]);
  }
  const deps = (await readFile(join(project, 'target/classpath.txt'), 'utf8')).trim();
  return `${join(project, 'target/classes')}:${deps}`;
}
