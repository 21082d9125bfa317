/**
 * Certificate path validation against trust anchors, for the verifier: issuer by name and
 * signature, validity at the time that matters (the time-stamp's time when there is one, so a
 * certificate that expired after signing still validates: the point of long-term validation),
 * and revocation by whatever CRLs came with the signature.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { bufferOf } from './der.js';
import { crypto } from './engines.js';

export interface ChainResult {
  trusted: boolean;
  /** The certificate first, the anchor last (when one was reached). */
  path: x509.X509Certificate[];
  problems: string[];
}

const sameCert = (a: x509.X509Certificate, b: x509.X509Certificate) =>
  Buffer.compare(new Uint8Array(a.rawData), new Uint8Array(b.rawData)) === 0;

const cn = (c: x509.X509Certificate) => c.subjectName.getField('CN')[0] ?? c.subject;

async function issuedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }, crypto);
  } catch {
    return false;
  }
}

export async function validateChain(
  cert: x509.X509Certificate,
  options: { pool: x509.X509Certificate[]; anchors: x509.X509Certificate[]; at: Date; crls?: Uint8Array[] },
): Promise<ChainResult> {
  const problems: string[] = [];
  const path: x509.X509Certificate[] = [cert];
  let trusted = false;
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    if (options.anchors.some((a) => sameCert(a, current))) {
      trusted = true;
      break;
    }
    let issuer: x509.X509Certificate | undefined;
    for (const candidate of [...options.anchors, ...options.pool]) {
      if (!sameCert(candidate, current) && (await issuedBy(current, candidate))) {
        issuer = candidate;
        break;
      }
    }
    if (!issuer) {
      problems.push(`no trusted issuer found for "${cn(current)}" (issuer ${current.issuer})`);
      break;
    }
    path.push(issuer);
    current = issuer;
  }
  for (const c of path) {
    if (options.at < c.notBefore || options.at > c.notAfter) {
      problems.push(`certificate "${cn(c)}" was not valid at ${options.at.toISOString()}`);
    }
  }
  if (options.crls?.length) problems.push(...(await revocationProblems(path, options.crls, options.at)));
  return { trusted: trusted && problems.length === 0, path, problems };
}

async function revocationProblems(
  path: x509.X509Certificate[],
  crlDers: Uint8Array[],
  at: Date,
): Promise<string[]> {
  const problems: string[] = [];
  const crls = crlDers.flatMap((der) => {
    try {
      return [new x509.X509Crl(bufferOf(der))];
    } catch {
      return [];
    }
  });
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    for (const crl of crls.filter((c) => c.issuer === issuer.subject)) {
      if (!(await crl.verify({ publicKey: issuer.publicKey }, crypto).catch(() => false))) continue;
      const entry = crl.findRevoked(cert);
      if (entry && entry.revocationDate <= at) {
        problems.push(`certificate "${cn(cert)}" was revoked on ${entry.revocationDate.toISOString()}`);
      }
    }
  }
  return problems;
}

/** Trust anchors from PEM text or certificates. */
export function toAnchors(anchors: string | x509.X509Certificate[]): x509.X509Certificate[] {
  if (typeof anchors !== 'string') return anchors;
  return x509.PemConverter.decode(anchors).map((der) => new x509.X509Certificate(der));
}

export { cn as commonName };
