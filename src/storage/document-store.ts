/**
 * Where the bytes of documents and results live, behind one small interface: PostgreSQL (the
 * default, `blobs` table) or a directory of files. The rows of `documents` and `artifacts` stay in
 * PostgreSQL and keep each file's SHA-256: that digest is the integrity reference every read is
 * checked against, so bytes that changed on disk are reported instead of served.
 */
import { createHash } from 'node:crypto';

/** What `put` stored: the key and the digest and size of the bytes under it. */
export interface StoredBlob {
  key: string;
  sha256: string;
  size: number;
}

export interface DocumentStore {
  /** Which implementation this is, for logs and the start-up banner. */
  readonly kind: 'postgres' | 'filesystem';
  /**
   * Stores `bytes` under `key`, replacing what was there. Durable when it returns; never leaves a
   * partial value under `key` (a crash leaves the old value or the new one).
   */
  put(key: string, bytes: Uint8Array): Promise<StoredBlob>;
  /**
   * The bytes under `key`, or null when there are none. `sha256` (hex) is what the database row
   * recorded when they were stored: other bytes under the key throw DocumentCorruptError.
   */
  get(key: string, sha256: string): Promise<Buffer | null>;
  exists(key: string): Promise<boolean>;
  /** Removes the bytes under `key`; nothing there is not an error (deletion is retried). */
  delete(key: string): Promise<void>;
  /**
   * Removes every key that starts with `folder` + '/': all of a job's files at once, including
   * any that a crash left without a row pointing at them.
   */
  deleteFolder(folder: string): Promise<void>;
  /**
   * Only a store inside the application database (PostgreSQL) has this: the `blobs` row that
   * stores `bytes` under `key`, for a statement that writes other rows too. A new job's bytes and
   * rows then commit together in one round trip (src/services/create-job.ts); a store elsewhere
   * `put`s the bytes first.
   */
  rowFor?(key: string, bytes: Uint8Array): BlobRow;
}

/** A row of the `blobs` table (src/storage/postgres.ts). */
export interface BlobRow extends StoredBlob {
  content: Buffer;
}

/** A key this store does not accept (a path outside the store, or characters no id has). */
export class InvalidDocumentKeyError extends Error {
  constructor(readonly key: string) {
    super(`invalid document store key ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'InvalidDocumentKeyError';
  }
}

/** The bytes under a key are not the ones the database recorded: never served. */
export class DocumentCorruptError extends Error {
  constructor(
    readonly key: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(`stored bytes of ${key} are corrupt: SHA-256 ${actualSha256}, recorded ${expectedSha256}`);
    this.name = 'DocumentCorruptError';
  }
}

/**
 * Keys are `/`-separated segments of letters, digits, `.`, `_` and `-`, each starting with a
 * letter or digit: no `..`, no absolute path, no empty segment, no hidden file name (the
 * filesystem store's temporary files start with a dot, so no key can name one).
 */
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]{0,127}';
const KEY = new RegExp(`^${SEGMENT}(?:/${SEGMENT}){0,7}$`);

export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length > 512 || !KEY.test(key)) throw new InvalidDocumentKeyError(key);
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The expected digest in the form both stores compare (lower-case hex). */
export function normaliseSha256(sha256: string): string {
  const s = sha256.toLowerCase();
  // A malformed reference can never match: say so rather than report every read as corrupt.
  if (!HEX_SHA256.test(s)) throw new Error(`not a hex SHA-256: ${JSON.stringify(sha256.slice(0, 80))}`);
  return s;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Checks `bytes` against the recorded digest; the bytes themselves when they match. */
export function verified(key: string, bytes: Buffer, expectedSha256: string): Buffer {
  const expected = normaliseSha256(expectedSha256);
  const actual = sha256Hex(bytes);
  if (actual !== expected) throw new DocumentCorruptError(key, expected, actual);
  return bytes;
}
