/**
 * The service PKI: who signs what.
 *
 *   root CA ─┬─ service seal certificate      (seals the PAdES, witnesses authenticated signatures)
 *            ├─ time-stamping authority        (RFC 3161 tokens; extKeyUsage timeStamping, critical)
 *            └─ test eID CA ── person certificates (advanced signatures of test persons)
 *
 * The test eID CA hangs under the same root so one trust anchor validates everything the
 * development service produces (one NSS trust entry for pdfsig, one --trusted-pem for xmlsec1).
 * In development the whole PKI is created on first start and persisted as PEM files; production
 * loads its certificates and keys from PEM files instead and may have no eID CA or TSA key at all.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import {
  type CertifiedKey,
  certificatesFromPem,
  certificatesToPem,
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  signParams,
} from './keys.js';

export type { CertifiedKey } from './keys.js';

/** Names of the certification authorities whose CRLs the service can publish. */
export type CaName = 'root' | 'eid-ca';

export interface Pki {
  /** Trust anchors: what a relying party must trust to validate our signatures. */
  roots: x509.X509Certificate[];
  /** The service's seal: signs the PAdES and the XAdES of authenticated signatures. */
  seal: CertifiedKey;
  /** Key of the in-process time-stamping authority; absent when an outside TSA is used. */
  tsa?: CertifiedKey;
  /** Issues advanced-signature certificates to test persons; absent in production. */
  eidCa?: CertifiedKey;
  /** CAs whose keys we hold, so we can issue their CRLs. */
  crlIssuers: Partial<Record<CaName, CertifiedKey>>;
  /** CRLs loaded from files (production CAs run by someone else), keyed by CA subject DN. */
  staticCrls: Map<string, Uint8Array>;
  /** Where issued certificates say the CRLs are, e.g. `http://localhost:3000/pki/crl`. */
  crlBaseUrl: string;
}

export interface PkiOptions {
  /** Base URL under which `<name>.crl` is served. Default `http://localhost:3000/pki/crl`. */
  crlBaseUrl?: string;
  /** Creation time of a new PKI (default now). */
  now?: Date;
  /** Organisation named in the service certificates. */
  organisation?: string;
}

export const DEFAULT_CRL_BASE_URL = 'http://localhost:3000/pki/crl';

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Backdate notBefore a little so a certificate made at start-up is valid on machines with clock skew. */
const BACKDATE_MS = 60 * 60 * 1000;

const OID = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  organisation: '2.5.4.10',
  givenName: '2.5.4.42',
  surname: '2.5.4.4',
} as const;

/** A positive serial number of 16 random bytes, as hex, so serials never collide in practice. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export function crlUrl(baseUrl: string, name: CaName): string {
  return `${baseUrl.replace(/\/$/, '')}/${name}.crl`;
}

/**
 * Where a CA's certificate is served (DER), for the Authority Information Access (caIssuers) of
 * the certificates it issues: next to the CRLs, `<base>/pki/ca/<name>.cer` for a CRL base
 * `<base>/pki/crl`.
 */
export function caIssuerUrl(crlBaseUrl: string, name: CaName): string {
  return `${crlBaseUrl.replace(/\/$/, '').replace(/\/crl$/, '')}/ca/${name}.cer`;
}

/** The certificate of one of our CAs by name, for `/pki/ca/<name>.cer`. */
export function caCertificate(pki: Pki, name: string): x509.X509Certificate | undefined {
  if (name === 'root') return pki.crlIssuers.root?.certificate ?? pki.roots[0];
  if (name === 'eid-ca') return pki.eidCa?.certificate;
  return undefined;
}

const authorityInfoAccess = (url: string) => new x509.AuthorityInfoAccessExtension({ caIssuers: url });
const AIA_OID = '1.3.6.1.5.5.7.1.1';

interface IssueParams {
  subject: x509.JsonName;
  issuer: CertifiedKey | 'self';
  keys: CryptoKeyPair;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
  crlDistributionPoint?: string;
  /** The issuer's certificate URL (caIssuers), for validators that build the path online. */
  caIssuers?: string;
}

async function issue(params: IssueParams): Promise<x509.X509Certificate> {
  const signer = params.issuer === 'self' ? undefined : params.issuer;
  const extensions = [
    ...params.extensions,
    await x509.SubjectKeyIdentifierExtension.create(params.keys.publicKey),
  ];
  if (signer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.certificate, false));
  }
  if (params.crlDistributionPoint) {
    extensions.push(new x509.CRLDistributionPointsExtension([params.crlDistributionPoint]));
  }
  if (params.caIssuers) extensions.push(authorityInfoAccess(params.caIssuers));
  const signingKey = signer ? signer.privateKey : params.keys.privateKey;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: params.subject,
    issuer: signer ? signer.certificate.subjectName : params.subject,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    publicKey: params.keys.publicKey,
    signingKey,
    signingAlgorithm: signParams(signingKey),
    extensions,
  });
}

const caExtensions = (pathLength?: number) => [
  new x509.BasicConstraintsExtension(true, pathLength, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
];

/** Creates a fresh development PKI in memory. */
export async function createPki(options: PkiOptions = {}): Promise<Pki> {
  const now = options.now ?? new Date();
  const org = options.organisation ?? 'Esign Orchestrator (development)';
  const base = options.crlBaseUrl ?? DEFAULT_CRL_BASE_URL;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const name = (cn: string): x509.JsonName => [
    { [OID.country]: ['NO'] },
    { [OID.organisation]: [org] },
    { [OID.commonName]: [cn] },
  ];

  const rootKeys = await generateKeyPair();
  const rootCert = await issue({
    subject: name('Esign Dev Root CA'),
    issuer: 'self',
    keys: rootKeys,
    notBefore,
    notAfter: new Date(now.getTime() + 25 * YEAR_MS),
    extensions: caExtensions(),
  });
  const root: CertifiedKey = { certificate: rootCert, privateKey: rootKeys.privateKey, chain: [] };

  const sealKeys = await generateKeyPair();
  const sealCert = await issue({
    subject: name('Esign Service Seal'),
    issuer: root,
    keys: sealKeys,
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    // No extKeyUsage: NSS (pdfsig) checks seal certificates for e-mail signing usage, which an
    // extKeyUsage without emailProtection would fail.
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
        true,
      ),
    ],
    crlDistributionPoint: crlUrl(base, 'root'),
    caIssuers: caIssuerUrl(base, 'root'),
  });

  const tsaKeys = await generateKeyPair();
  const tsaCert = await issue({
    subject: name('Esign Dev Time-Stamping Authority'),
    issuer: root,
    keys: tsaKeys,
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    // RFC 3161 §2.3: exactly one extKeyUsage, timeStamping, critical.
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
    ],
    crlDistributionPoint: crlUrl(base, 'root'),
    caIssuers: caIssuerUrl(base, 'root'),
  });

  const eidKeys = await generateKeyPair();
  const eidCert = await issue({
    subject: name('Esign Test eID CA'),
    issuer: root,
    keys: eidKeys,
    notBefore,
    notAfter: new Date(now.getTime() + 20 * YEAR_MS),
    extensions: caExtensions(0),
    crlDistributionPoint: crlUrl(base, 'root'),
    caIssuers: caIssuerUrl(base, 'root'),
  });

  const eidCa: CertifiedKey = { certificate: eidCert, privateKey: eidKeys.privateKey, chain: [rootCert] };
  return {
    roots: [rootCert],
    seal: { certificate: sealCert, privateKey: sealKeys.privateKey, chain: [rootCert] },
    tsa: { certificate: tsaCert, privateKey: tsaKeys.privateKey, chain: [rootCert] },
    eidCa,
    crlIssuers: { root, 'eid-ca': eidCa },
    staticCrls: new Map(),
    crlBaseUrl: base,
  };
}

/** The roles persisted in a development PKI directory, file stems `<role>.cert.pem`/`<role>.key.pem`. */
const ROLES = ['root', 'seal', 'tsa', 'eid-ca'] as const;

/**
 * Loads the development PKI from `dir`, creating and persisting it on first start.
 * Safe when several processes (API, worker) start at once: the PKI is written to a temporary
 * directory and renamed into place; a loser of that race loads the winner's PKI.
 */
export async function loadOrCreatePki(dir: string, options: PkiOptions = {}): Promise<Pki> {
  const existing = await tryLoadDirectory(dir, options);
  if (existing) return existing;
  const pki = await createPki(options);
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  const keyed: Record<(typeof ROLES)[number], CertifiedKey> = {
    root: pki.crlIssuers.root!,
    seal: pki.seal,
    tsa: pki.tsa!,
    'eid-ca': pki.eidCa!,
  };
  for (const role of ROLES) {
    const ck = keyed[role];
    await writeFile(join(tmp, `${role}.cert.pem`), certificatesToPem([ck.certificate, ...ck.chain]));
    await writeFile(join(tmp, `${role}.key.pem`), await privateKeyToPem(ck.privateKey), { mode: 0o600 });
  }
  try {
    await rename(tmp, dir);
    return pki;
  } catch {
    await rm(tmp, { recursive: true, force: true });
    const winner = await tryLoadDirectory(dir, options);
    if (!winner) throw new Error(`could not create the PKI in ${dir}`);
    return winner;
  }
}

async function tryLoadDirectory(dir: string, options: PkiOptions): Promise<Pki | undefined> {
  try {
    await readFile(join(dir, 'root.cert.pem'));
  } catch {
    return undefined;
  }
  const file = (role: string, kind: 'cert' | 'key') => join(dir, `${role}.${kind}.pem`);
  const pki = await loadPkiFromFiles({
    roots: [file('root', 'cert')],
    rootKey: file('root', 'key'),
    seal: { cert: file('seal', 'cert'), key: file('seal', 'key') },
    tsa: { cert: file('tsa', 'cert'), key: file('tsa', 'key') },
    eidCa: { cert: file('eid-ca', 'cert'), key: file('eid-ca', 'key') },
    crlBaseUrl: options.crlBaseUrl,
  });
  await addMissingAuthorityInfoAccess(dir, pki);
  return pki;
}

/**
 * A development PKI created before certificates carried Authority Information Access gets its
 * seal, TSA and eID CA certificates re-issued with it on start: same key, subject, validity and
 * extensions, a new serial number. Signatures made before keep validating (they carry the old
 * certificate, which the same root signed); new ones carry the new. Should two processes start
 * at once, each may re-issue its own: both certificates are equally valid, the file keeps one.
 */
async function addMissingAuthorityInfoAccess(dir: string, pki: Pki): Promise<void> {
  const root = pki.crlIssuers.root;
  if (!root) return;
  const roles: [string, CertifiedKey | undefined][] = [
    ['seal', pki.seal],
    ['tsa', pki.tsa],
    ['eid-ca', pki.eidCa],
  ];
  for (const [role, ck] of roles) {
    if (!ck || ck.certificate.extensions.some((e) => e.type === AIA_OID)) continue;
    if (ck.certificate.issuer !== root.certificate.subject) continue;
    ck.certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: ck.certificate.subjectName,
      issuer: root.certificate.subjectName,
      notBefore: ck.certificate.notBefore,
      notAfter: ck.certificate.notAfter,
      publicKey: ck.certificate.publicKey,
      signingKey: root.privateKey,
      signingAlgorithm: signParams(root.privateKey),
      extensions: [...ck.certificate.extensions, authorityInfoAccess(caIssuerUrl(pki.crlBaseUrl, 'root'))],
    });
    const path = join(dir, `${role}.cert.pem`);
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, certificatesToPem([ck.certificate, ...ck.chain]));
    await rename(tmp, path);
  }
}

/** A certificate PEM file (entity first, then its chain) and its PKCS#8 PEM key file. */
export interface KeyFilePaths {
  cert: string;
  key: string;
}

export interface PkiFilePaths {
  /** PEM files with the trust anchors. */
  roots: string[];
  /** The root CA's key, if the service publishes the root's CRL itself. */
  rootKey?: string;
  seal: KeyFilePaths;
  tsa?: KeyFilePaths;
  eidCa?: KeyFilePaths;
  /** DER or PEM CRL files of CAs the service does not run. */
  crls?: string[];
  crlBaseUrl?: string;
}

async function loadCertifiedKey(paths: KeyFilePaths): Promise<CertifiedKey> {
  const certs = certificatesFromPem(await readFile(paths.cert, 'utf8'));
  const [certificate, ...chain] = certs;
  if (!certificate) throw new Error(`no certificate in ${paths.cert}`);
  const privateKey = await privateKeyFromPem(await readFile(paths.key, 'utf8'), certificate);
  return { certificate, privateKey, chain };
}

/** Loads a PKI from PEM files (production, or a development directory). */
export async function loadPkiFromFiles(paths: PkiFilePaths): Promise<Pki> {
  const roots = (await Promise.all(paths.roots.map((p) => readFile(p, 'utf8')))).flatMap(certificatesFromPem);
  if (roots.length === 0) throw new Error('no trust anchor certificates found');
  const seal = await loadCertifiedKey(paths.seal);
  const tsa = paths.tsa ? await loadCertifiedKey(paths.tsa) : undefined;
  const eidCa = paths.eidCa ? await loadCertifiedKey(paths.eidCa) : undefined;
  const crlIssuers: Partial<Record<CaName, CertifiedKey>> = {};
  if (paths.rootKey) {
    const root = roots[0]!;
    crlIssuers.root = {
      certificate: root,
      privateKey: await privateKeyFromPem(await readFile(paths.rootKey, 'utf8'), root),
      chain: [],
    };
  }
  if (eidCa) crlIssuers['eid-ca'] = eidCa;
  const staticCrls = new Map<string, Uint8Array>();
  for (const p of paths.crls ?? []) {
    const raw = await readFile(p);
    const text = raw.toString('latin1');
    const crl = new x509.X509Crl(x509.PemConverter.isPem(text) ? text : raw);
    staticCrls.set(crl.issuer, new Uint8Array(crl.rawData));
  }
  return {
    roots,
    seal,
    tsa,
    eidCa,
    crlIssuers,
    staticCrls,
    crlBaseUrl: paths.crlBaseUrl ?? DEFAULT_CRL_BASE_URL,
  };
}

/** The trust anchors as PEM, for `/pki/trust-anchors.pem` and for relying parties. */
export function trustAnchorsPem(pki: Pki): string {
  return certificatesToPem(pki.roots);
}

export interface PersonIdentity {
  name: string;
  /** Norwegian national identity number (or D-number / synthetic test number). */
  nationalIdentityNumber: string;
}

/**
 * Issues an advanced-signature certificate and key to a test person from the test eID CA, the
 * way a Norwegian eID provider would: subject serialNumber `UN:NO-<pid>`, keyUsage nonRepudiation.
 */
export async function issuePersonCertificate(
  pki: Pki,
  person: PersonIdentity,
  options: { now?: Date } = {},
): Promise<CertifiedKey> {
  const ca = pki.eidCa;
  if (!ca) throw new Error('this PKI has no test eID CA');
  const now = options.now ?? new Date();
  const keys = await generateKeyPair();
  const parts = person.name.trim().split(/\s+/);
  const subject: x509.JsonName = [
    { [OID.country]: ['NO'] },
    ...(parts.length > 1
      ? [{ [OID.surname]: [parts[parts.length - 1]!] }, { [OID.givenName]: [parts.slice(0, -1).join(' ')] }]
      : []),
    { [OID.commonName]: [person.name] },
    { [OID.serialNumber]: [`UN:NO-${person.nationalIdentityNumber}`] },
  ];
  const certificate = await issue({
    subject,
    issuer: ca,
    keys,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + 2 * YEAR_MS),
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true)],
    crlDistributionPoint: crlUrl(pki.crlBaseUrl, 'eid-ca'),
    caIssuers: caIssuerUrl(pki.crlBaseUrl, 'eid-ca'),
  });
  return { certificate, privateKey: keys.privateKey, chain: [ca.certificate, ...ca.chain] };
}
