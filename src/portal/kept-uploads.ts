/**
 * The files of a sender-portal form that came back with mistakes, kept so the sender need not
 * choose them again (a browser cannot refill a file input). Bound to the browser session and the
 * organisation that sent them, unguessable ids, one hour at most; expired rows are removed
 * whenever new ones are kept, and a created job removes its own.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { UploadedFile } from './sender-jobs.js';

export const KEPT_UPLOAD_MS = 60 * 60 * 1000;

export interface KeptFile {
  id: string;
  fileName: string;
  size: number;
}

/** Ids are what the form sends back: 32 url-safe characters, nothing else is looked up. */
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export async function keepUploads(
  db: Db,
  owner: { sessionTag: string; org: string },
  files: UploadedFile[],
  now = new Date(),
): Promise<KeptFile[]> {
  await db.deleteFrom('kept_uploads').where('expires_at', '<', now).execute();
  if (files.length === 0) return [];
  const rows = files.map((f) => ({
    id: randomBytes(24).toString('base64url'),
    session_tag: owner.sessionTag,
    org_number: owner.org,
    file_name: f.fileName,
    mime_type: f.type,
    content: Buffer.from(f.bytes),
    expires_at: new Date(now.getTime() + KEPT_UPLOAD_MS),
  }));
  await db.insertInto('kept_uploads').values(rows).execute();
  return rows.map((r) => ({ id: r.id, fileName: r.file_name, size: r.content.length }));
}

/** The kept files of these ids that belong to this session and organisation and are still valid. */
export async function keptUploads(
  db: Db,
  owner: { sessionTag: string; org: string },
  ids: string[],
  now = new Date(),
): Promise<(KeptFile & { file: UploadedFile })[]> {
  const wanted = [...new Set(ids.filter((id) => ID_PATTERN.test(id)))].slice(0, 10);
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('kept_uploads')
    .select(['id', 'file_name', 'mime_type', 'content'])
    .where('id', 'in', wanted)
    .where('session_tag', '=', owner.sessionTag)
    .where('org_number', '=', owner.org)
    .where('expires_at', '>', now)
    .execute();
  return wanted.flatMap((id) => {
    const r = rows.find((row) => row.id === id);
    return r
      ? [
          {
            id: r.id,
            fileName: r.file_name,
            size: r.content.length,
            file: { fileName: r.file_name, type: r.mime_type, bytes: new Uint8Array(r.content) },
          },
        ]
      : [];
  });
}

export async function forgetKeptUploads(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('kept_uploads').where('id', 'in', ids).execute();
}
