/**
 * The document bundle (an ASiC-E-like zip) read defensively with yauzl, through the central
 * directory (the official client writes entries with data descriptors, so the local headers carry
 * no sizes). Caps on the number of entries, on each entry's and the total inflated size and on the
 * compression ratio (zip bombs), no path tricks (absolute, `..`, backslashes, empty segments), no
 * duplicate names. yauzl checks while inflating that no entry yields more than its declared size.
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { MAX_DOCUMENT_BYTES } from '../../src/job/model.js';

/** 20 documents, manifest.xml, META-INF/signatures.xml, and room for an ASiC mimetype/manifest. */
export const MAX_BUNDLE_ENTRIES = 24;
/** Each entry: a document's limit (manifest and seal are far smaller). */
export const MAX_ENTRY_BYTES = MAX_DOCUMENT_BYTES;
/** All entries together, inflated. */
export const MAX_BUNDLE_INFLATED_BYTES = 20 * MAX_DOCUMENT_BYTES + 1024 * 1024;
/** Inflated / compressed; PDFs hardly compress, text may, bombs compress by a factor of 1000. */
export const MAX_COMPRESSION_RATIO = 200;

export class BundleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Why a zip entry name is refused, or null when it is a plain relative path. */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'an empty or over-long name';
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character';
  const segments = name.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 'a `.` or `..` segment';
  if (segments.slice(0, -1).some((s) => s === '')) return 'an empty path segment';
  return null;
}

const open = (bytes: Uint8Array) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, decodeStrings: true },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    ),
  );

function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        // validateEntrySizes already stops at the declared size; this holds even if it did not.
        if (total > MAX_ENTRY_BYTES)
          stream.destroy(
            new BundleError(
              'BUNDLE_TOO_LARGE',
              `${entry.fileName} inflates beyond ${MAX_ENTRY_BYTES} bytes`,
              413,
            ),
          );
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** Every file entry of the bundle by name (directories skipped), within the caps above. */
export async function readBundle(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  let zip: ZipFile;
  try {
    zip = await open(bytes);
  } catch (err) {
    throw new BundleError(
      'INVALID_BUNDLE',
      `the document bundle is not a readable zip: ${(err as Error).message}`,
    );
  }
  try {
    if (zip.entryCount > MAX_BUNDLE_ENTRIES) {
      throw new BundleError(
        'INVALID_BUNDLE',
        `the document bundle has ${zip.entryCount} entries; at most ${MAX_BUNDLE_ENTRIES}`,
      );
    }
    const entries = new Map<string, Uint8Array>();
    let inflated = 0;
    for (;;) {
      const entry = await new Promise<Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      }).catch((err: Error) => {
        throw err instanceof BundleError
          ? err
          : new BundleError('INVALID_BUNDLE', `the document bundle is not a valid zip: ${err.message}`);
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (!entry) break;
      const name = entry.fileName;
      const unsafe = unsafeEntryName(name);
      if (unsafe)
        throw new BundleError('INVALID_BUNDLE', `the zip entry name ${JSON.stringify(name)} has ${unsafe}`);
      if (name.endsWith('/')) continue;
      if (entries.has(name)) throw new BundleError('INVALID_BUNDLE', `the zip entry ${name} occurs twice`);
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
        throw new BundleError(
          'BUNDLE_TOO_LARGE',
          `the zip entry ${name} is ${entry.uncompressedSize} bytes; at most ${MAX_ENTRY_BYTES}`,
          413,
        );
      }
      if (
        entry.uncompressedSize > 64 * 1024 &&
        entry.uncompressedSize > MAX_COMPRESSION_RATIO * Math.max(1, entry.compressedSize)
      ) {
        throw new BundleError(
          'INVALID_BUNDLE',
          `the zip entry ${name} is compressed more than ${MAX_COMPRESSION_RATIO}:1 (a zip bomb?)`,
        );
      }
      inflated += entry.uncompressedSize;
      if (inflated > MAX_BUNDLE_INFLATED_BYTES) {
        throw new BundleError(
          'BUNDLE_TOO_LARGE',
          `the document bundle inflates beyond ${MAX_BUNDLE_INFLATED_BYTES} bytes`,
          413,
        );
      }
      try {
        entries.set(name, await readEntry(zip, entry));
      } catch (err) {
        throw err instanceof BundleError
          ? err
          : new BundleError(
              'INVALID_BUNDLE',
              `the zip entry ${name} cannot be read: ${(err as Error).message}`,
            );
      }
    }
    return entries;
  } finally {
    zip.close();
  }
}
