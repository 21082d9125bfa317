/**
 * Bytes as files under one directory (`DOCUMENT_STORE_DIR`): each key is a relative path, each
 * file holds exactly the stored bytes, so an operator can read them with ordinary tools.
 *
 * A write goes to a temporary file in the same directory, is fsynced, renamed over the final name
 * and the directory fsynced: after a crash the key holds the old bytes or the new ones, never a
 * part. Left-over temporary files (names starting with '.', which no key can) are never read and
 * go with their job's folder. Directories are 0700 and files 0600: these are people's documents.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  assertValidKey,
  type DocumentStore,
  normaliseSha256,
  type StoredBlob,
  sha256Hex,
  verified,
} from './document-store.js';

export class FilesystemDocumentStore implements DocumentStore {
  readonly kind = 'filesystem';

  private constructor(readonly root: string) {}

  /** Creates the directory if needed and checks it is writable, so a bad path fails at start-up. */
  static async open(dir: string): Promise<FilesystemDocumentStore> {
    const root = resolve(dir);
    await mkdir(root, { recursive: true, mode: 0o700 });
    await access(root, constants.R_OK | constants.W_OK | constants.X_OK);
    return new FilesystemDocumentStore(root);
  }

  /** The file of a key; the key's syntax (checked first) keeps it inside the root. */
  pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, bytes: Uint8Array): Promise<StoredBlob> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    const created = await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      const file = await open(tmp, 'wx', 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // The rename, and any directory made for it, must survive a crash too.
    for (const d of directoriesToSync(this.root, dir, created)) await syncDirectory(d);
    return { key, sha256: sha256Hex(bytes), size: bytes.byteLength };
  }

  async get(key: string, sha256: string): Promise<Buffer | null> {
    const path = this.pathOf(key);
    const expected = normaliseSha256(sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    return verified(key, bytes, expected);
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await syncDirectory(dirname(path), { missingOk: true });
  }

  async deleteFolder(folder: string): Promise<void> {
    const path = this.pathOf(folder);
    await rm(path, { recursive: true, force: true });
    await syncDirectory(dirname(path), { missingOk: true });
  }
}

/** ENOENT, or ENOTDIR when a path component is a file: either way there is no such key. */
function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** `dir`, and when `mkdir` created directories, every parent whose entries changed, up to the root. */
function directoriesToSync(root: string, dir: string, firstCreated: string | undefined): string[] {
  const dirs = [dir];
  if (firstCreated === undefined) return dirs;
  for (let d = dir; d !== dirname(firstCreated) && d !== root && d !== dirname(d); ) {
    d = dirname(d);
    dirs.push(d);
  }
  return dirs;
}

async function syncDirectory(dir: string, opts: { missingOk?: boolean } = {}): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(dir, 'r');
  } catch (err) {
    if (opts.missingOk && isMissing(err)) return;
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
