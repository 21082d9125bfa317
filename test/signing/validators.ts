/**
 * Outside validators from Debian packages, run on what we produce: pdfsig (poppler-utils, with an
 * NSS database holding our trust anchor), qpdf, openssl (cms, ts, verify, crl), xmlsec1.
 * Each helper returns the tool's text (stdout and stderr together): tests assert on what the
 * tool says, never on its exit code alone.
 *
 * Debian packages: poppler-utils qpdf xmlsec1 libnss3-tools openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function run(cmd: string, args: string[], input?: Uint8Array): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

export function missingTools(): string[] {
  return ['pdfsig', 'qpdf', 'openssl', 'xmlsec1', 'certutil', 'pdftotext', 'pdfdetach'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0,
  );
}

/** Fails with the install line when a validator is missing, instead of silently skipping. */
export function requireTools(): void {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(
      `validators missing: ${missing.join(', ')}; install: apt-get install -y poppler-utils qpdf xmlsec1 libnss3-tools openssl`,
    );
  }
}

/** A scratch directory for one test file's files. */
export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `esign-${label}-`));
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Keeps the bytes of a failing case for a human to open (test-artifacts/ is git-ignored). */
export function saveArtifact(name: string, bytes: Uint8Array | string): string {
  const dir = join(process.cwd(), 'test-artifacts', 'signing');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** An NSS database that trusts `rootPem` for signing ("CT,C,C"), for pdfsig. */
export function nssDatabase(dir: string, rootPem: string): string {
  const db = join(dir, 'nss');
  mkdirSync(db, { recursive: true });
  run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  const rootFile = writeTemp(dir, 'nss-root.pem', rootPem);
  const out = run('certutil', ['-A', '-d', `sql:${db}`, '-n', 'esign-root', '-t', 'CT,C,C', '-i', rootFile]);
  if (out.trim()) throw new Error(`certutil: ${out}`);
  return db;
}

export function pdfsig(pdfPath: string, nssDb: string): string {
  return run('pdfsig', ['-nssdir', `sql:${nssDb}`, pdfPath]);
}

/** pdfsig's report split per signature: "Signature #1:" blocks. */
export function pdfsigBlocks(text: string): string[] {
  return text.split(/^Signature #\d+:$/m).slice(1);
}

export function qpdfCheck(pdfPath: string): string {
  return run('qpdf', ['--check', pdfPath]);
}

export function opensslCmsVerify(dir: string, cms: Uint8Array, content: Uint8Array, caPem: string): string {
  const cmsFile = writeTemp(dir, 'sig.p7s', cms);
  const contentFile = writeTemp(dir, 'signed-content.bin', content);
  const ca = writeTemp(dir, 'ca.pem', caPem);
  return run('openssl', [
    'cms',
    '-verify',
    '-binary',
    '-inform',
    'DER',
    '-in',
    cmsFile,
    '-content',
    contentFile,
    '-CAfile',
    ca,
    '-purpose',
    'any',
    '-out',
    '/dev/null',
  ]);
}

export function opensslCmsPrint(dir: string, cms: Uint8Array): string {
  const cmsFile = writeTemp(dir, 'print.p7s', cms);
  return run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsFile]);
}

/** `openssl ts -verify` of a bare token, against data or a precomputed SHA-256 digest. */
export function opensslTsVerify(
  dir: string,
  token: Uint8Array,
  against: { data: Uint8Array } | { digestHex: string },
  caPem: string,
): string {
  const tokenFile = writeTemp(dir, 'token.tst', token);
  const ca = writeTemp(dir, 'ts-ca.pem', caPem);
  const what =
    'data' in against
      ? ['-data', writeTemp(dir, 'ts-data.bin', against.data)]
      : ['-digest', against.digestHex];
  return run('openssl', ['ts', '-verify', ...what, '-in', tokenFile, '-token_in', '-CAfile', ca]);
}

export function xmlsecVerify(dir: string, xml: Uint8Array, rootPem: string): string {
  const xmlFile = writeTemp(dir, 'signature.xml', xml);
  const root = writeTemp(dir, 'xmlsec-root.pem', rootPem);
  return run('xmlsec1', ['--verify', '--trusted-pem', root, xmlFile]);
}

export function pdftotext(pdfPath: string, pages?: { first: number; last: number }): string {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return run('pdftotext', [...range, '-layout', pdfPath, '-']);
}

/** Runs checks on a produced file; if any fails, keeps the file in test-artifacts/signing. */
export async function keepOnFailure(name: string, bytes: Uint8Array, checks: () => void | Promise<void>) {
  try {
    await checks();
  } catch (e) {
    const path = saveArtifact(name, bytes);
    if (e instanceof Error) e.message += `\n(kept for inspection: ${path})`;
    throw e;
  }
}
