/**
 * Certificate path validation against trust anchors, for the verifier, after RFC 5280 §6:
 *
 * - path: each certificate issued (name and signature) by the next, ending at a trust anchor;
 * - basicConstraints: every issuer is a CA (cA true), and no issuer has more CAs below it than
 *   its pathLenConstraint allows;
 * - keyUsage: every issuer may sign certificates (keyCertSign), every CRL issuer may sign CRLs
 *   (cRLSign);
 * - criticalExtension: no certificate carries a critical extension we do not process;
 * - validity: every certificate valid at the time that matters (the time-stamp's time when there
 *   is one, so a certificate that expired after signing still validates: the point of long-term
 *   validation);
 * - revocation: every certificate below the anchor has a CRL from its issuer that speaks for that
 *   time, and is not revoked on it;
 * - usage: the end certificate fits what it did (a document signature or seal, or a time-stamp:
 *   RFC 3161 §2.3, exactly one extKeyUsage, id-kp-timeStamping, critical).
 *
 * Every problem names the rule that failed, first: "basicConstraints: …".
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { bufferOf } from './der.js';
import { crypto } from './engines.js';

export type ChainRule =
  | 'path'
  | 'basicConstraints'
  | 'pathLenConstraint'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'criticalExtension'
  | 'validity'
  | 'revocation';

/** What the end certificate was used for: it must be fit for exactly that. */
export type CertificateUse = 'document-signature' | 'time-stamping';

export interface ChainResult {
  trusted: boolean;
  /** The certificate first, the anchor last (when one was reached). */
  path: x509.X509Certificate[];
  problems: string[];
  /** The rules that failed, each once. */
  failedRules: ChainRule[];
}

export interface ChainOptions {
  pool: x509.X509Certificate[];
  anchors: x509.X509Certificate[];
  /** The time the certificates must have been valid and unrevoked at. */
  at: Date;
  crls?: Uint8Array[];
  use: CertificateUse;
}

const MAX_PATH_LENGTH = 8;
/** Certificates with the issuer's name whose signature is tried, per step of the path. */
const MAX_ISSUER_CANDIDATES = 16;

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/**
 * Extensions this validator processes or that change nothing about trust, so they may be
 * critical. Anything else marked critical (name or policy constraints, private extensions) makes
 * the certificate unusable here, as RFC 5280 §4.2 requires.
 */
const UNDERSTOOD_EXTENSIONS = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies: any policy is acceptable (no initial policy set)
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/** Purposes a time-stamping or OCSP key is reserved for: such a key signs nothing else. */
const RESERVED_PURPOSES: string[] = [x509.ExtendedKeyUsage.timeStamping, x509.ExtendedKeyUsage.ocspSigning];

const sameCert = (a: x509.X509Certificate, b: x509.X509Certificate) =>
  Buffer.compare(new Uint8Array(a.rawData), new Uint8Array(b.rawData)) === 0;

const cn = (c: x509.X509Certificate) => c.subjectName.getField('CN')[0] ?? c.subject;

const isSelfIssued = (c: x509.X509Certificate) => c.subject === c.issuer;

async function issuedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }, crypto);
  } catch {
    return false;
  }
}

/** Extensions are parsed lazily by the library; a malformed one must not throw past us. */
function extension<T extends x509.Extension>(
  cert: x509.X509Certificate,
  type: new (raw: BufferSource) => T,
): T | undefined {
  try {
    return (cert.getExtension(type as never) as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

const keyUsageOf = (c: x509.X509Certificate) => extension(c, x509.KeyUsagesExtension);
const has = (ku: x509.KeyUsagesExtension | undefined, flag: x509.KeyUsageFlags) =>
  !ku || (ku.usages & flag) !== 0;

class Findings {
  readonly problems: string[] = [];
  readonly rules = new Set<ChainRule>();
  add(rule: ChainRule, text: string) {
    this.rules.add(rule);
    this.problems.push(`${rule}: ${text}`);
  }
}

async function buildPath(
  cert: x509.X509Certificate,
  options: ChainOptions,
  findings: Findings,
): Promise<{ path: x509.X509Certificate[]; anchored: boolean }> {
  const path: x509.X509Certificate[] = [cert];
  let current = cert;
  while (path.length <= MAX_PATH_LENGTH) {
    if (options.anchors.some((a) => sameCert(a, current))) return { path, anchored: true };
    let issuer: x509.X509Certificate | undefined;
    // Names first, signatures only for a few: a document may carry any number of certificates.
    const candidates = [...options.anchors, ...options.pool]
      .filter((c) => c.subject === current.issuer && !path.some((p) => sameCert(p, c)))
      .slice(0, MAX_ISSUER_CANDIDATES);
    for (const candidate of candidates) {
      if (await issuedBy(current, candidate)) {
        issuer = candidate;
        break;
      }
    }
    if (!issuer) {
      findings.add('path', `no trusted issuer found for "${cn(current)}" (issuer ${current.issuer})`);
      return { path, anchored: false };
    }
    path.push(issuer);
    current = issuer;
  }
  findings.add('path', `the path from "${cn(cert)}" is longer than ${MAX_PATH_LENGTH} certificates`);
  return { path, anchored: false };
}

/** RFC 5280 §6.1.4 (k), (l), (n): what makes a certificate fit to issue the one below it. */
function checkIssuers(path: x509.X509Certificate[], findings: Findings): void {
  for (let i = 1; i < path.length; i++) {
    const issuer = path[i]!;
    const below = path[i - 1]!;
    const bc = extension(issuer, x509.BasicConstraintsExtension);
    if (!bc?.ca) {
      findings.add(
        'basicConstraints',
        `"${cn(issuer)}" is not a CA certificate (no basicConstraints cA) yet issued "${cn(below)}"`,
      );
    }
    // Non-self-issued CA certificates between this issuer and the end certificate.
    const intermediates = path.slice(1, i).filter((c) => !isSelfIssued(c)).length;
    if (bc?.pathLength !== undefined && intermediates > bc.pathLength) {
      findings.add(
        'pathLenConstraint',
        `"${cn(issuer)}" allows ${bc.pathLength} CA certificate(s) below it, the path has ${intermediates}`,
      );
    }
    if (!has(keyUsageOf(issuer), x509.KeyUsageFlags.keyCertSign)) {
      findings.add(
        'keyUsage',
        `"${cn(issuer)}" may not sign certificates (no keyCertSign) yet issued "${cn(below)}"`,
      );
    }
  }
}

function checkCriticalExtensions(path: x509.X509Certificate[], findings: Findings): void {
  for (const c of path) {
    for (const ext of c.extensions) {
      if (ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.type)) {
        findings.add('criticalExtension', `"${cn(c)}" has the unknown critical extension ${ext.type}`);
      }
    }
  }
}

function checkValidity(path: x509.X509Certificate[], at: Date, findings: Findings): void {
  for (const c of path) {
    if (at < c.notBefore || at > c.notAfter) {
      findings.add(
        'validity',
        `certificate "${cn(c)}" was not valid at ${at.toISOString()} (valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`,
      );
    }
  }
}

/** The end certificate's fitness for what it did (RFC 5280 §4.2.1.3, §4.2.1.12; RFC 3161 §2.3). */
function checkUse(cert: x509.X509Certificate, use: CertificateUse, findings: Findings): void {
  const ku = keyUsageOf(cert);
  const eku = extension(cert, x509.ExtendedKeyUsageExtension);
  const usages = (eku?.usages ?? []).map(String);
  if (extension(cert, x509.BasicConstraintsExtension)?.ca) {
    findings.add(
      'basicConstraints',
      `"${cn(cert)}" is a CA certificate, which signs certificates, not documents`,
    );
  }
  const signs = has(ku, x509.KeyUsageFlags.digitalSignature) || has(ku, x509.KeyUsageFlags.nonRepudiation);
  if (use === 'time-stamping') {
    if (!signs)
      findings.add('keyUsage', `"${cn(cert)}" may not sign (no digitalSignature or nonRepudiation)`);
    if (!eku?.critical || usages.length !== 1 || usages[0] !== x509.ExtendedKeyUsage.timeStamping) {
      findings.add(
        'extKeyUsage',
        `"${cn(cert)}" is not a time-stamping authority (RFC 3161 asks for exactly one extKeyUsage, id-kp-timeStamping, critical)`,
      );
    }
    return;
  }
  if (!signs) {
    findings.add('keyUsage', `"${cn(cert)}" may not sign documents (no nonRepudiation or digitalSignature)`);
  }
  if (eku && !usages.includes(OID.anyExtendedKeyUsage) && usages.some((u) => RESERVED_PURPOSES.includes(u))) {
    findings.add(
      'extKeyUsage',
      `"${cn(cert)}" is reserved for ${usages.join(', ')} and may not sign documents`,
    );
  }
}

function parseCrls(ders: Uint8Array[]): x509.X509Crl[] {
  return ders.flatMap((der) => {
    try {
      return [new x509.X509Crl(bufferOf(der))];
    } catch {
      return [];
    }
  });
}

/**
 * Every certificate below the anchor needs a CRL from its issuer, signed by it (with cRLSign),
 * that speaks for `at`: current then (thisUpdate ≤ at ≤ nextUpdate) or issued after it.
 */
async function checkRevocation(
  path: x509.X509Certificate[],
  crls: x509.X509Crl[],
  at: Date,
  findings: Findings,
): Promise<void> {
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    let covered = false;
    for (const crl of crls.filter((c) => c.issuer === issuer.subject)) {
      if (!(await crl.verify({ publicKey: issuer.publicKey }, crypto).catch(() => false))) continue;
      if (!has(keyUsageOf(issuer), x509.KeyUsageFlags.cRLSign)) {
        findings.add('keyUsage', `"${cn(issuer)}" may not sign CRLs (no cRLSign)`);
        continue;
      }
      const speaksForAt =
        crl.thisUpdate >= at || (crl.thisUpdate <= at && (!crl.nextUpdate || at <= crl.nextUpdate));
      covered ||= speaksForAt;
      const entry = crl.findRevoked(cert);
      if (entry && entry.revocationDate <= at) {
        findings.add(
          'revocation',
          `certificate "${cn(cert)}" was revoked on ${entry.revocationDate.toISOString()}`,
        );
      }
    }
    if (!covered) {
      findings.add(
        'revocation',
        `no CRL from "${cn(issuer)}" tells the status of "${cn(cert)}" at ${at.toISOString()}`,
      );
    }
  }
}

export async function validateChain(cert: x509.X509Certificate, options: ChainOptions): Promise<ChainResult> {
  const findings = new Findings();
  const { path, anchored } = await buildPath(cert, options, findings);
  checkIssuers(path, findings);
  checkCriticalExtensions(path, findings);
  checkValidity(path, options.at, findings);
  checkUse(cert, options.use, findings);
  await checkRevocation(path, parseCrls(options.crls ?? []), options.at, findings);
  return {
    trusted: anchored && findings.problems.length === 0,
    path,
    problems: [...new Set(findings.problems)],
    failedRules: [...findings.rules],
  };
}

/** Trust anchors from PEM text or certificates. */
export function toAnchors(anchors: string | x509.X509Certificate[]): x509.X509Certificate[] {
  if (typeof anchors !== 'string') return anchors;
  return x509.PemConverter.decode(anchors).map((der) => new x509.X509Certificate(der));
}

export { cn as commonName };
