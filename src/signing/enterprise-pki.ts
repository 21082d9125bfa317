/**
 * The development enterprise PKI of the XML API (the national service's transport): a development
 * enterprise CA standing in for Buypass/Commfides, which issues
 * - our TLS server certificate, carrying the service's organisation number in `serialNumber`
 *   (the official client finds it there with `OID.2.5.4.5=<9 digits>`), and
 * - senders' test enterprise certificates: RSA (the client seals bundles with rsa-sha256), the
 *   organisation number as `organizationIdentifier` NTRNO-<n> and `serialNumber`, as PKCS#12.
 * Created in `<PKI_DIR>/enterprise` on first start and kept as PEM files. Never for production,
 * where the server certificate and the trusted enterprise CAs come from real CAs.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { signCrl } from './crl.js';
import { crypto } from './engines.js';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, signParams } from './keys.js';

/** The organisation number our development server certificate carries (a valid, unassigned test number). */
export const DEV_SERVICE_ORG_NUMBER = '921000006';

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const YEAR_MS = 365 * 24 * 3600 * 1000;
const serial = () => `01${randomBytes(8).toString('hex')}`;

export interface EnterprisePki {
  ca: { certificate: x509.X509Certificate; privateKey: CryptoKey };
  caPem: string;
  /** The TLS server's key and certificate (PEM). */
  server: { key: string; cert: string };
  serviceOrg: string;
  /**
   * A directory holding only the CA certificate: what the official client takes as a certificate
   * path (`ServiceEnvironment.withCertificates(dir)`: one certificate per file, no bundles).
   */
  caDirectory: string;
}

export interface IssuedEnterpriseCertificate {
  org: string;
  /** PEM: the RSA private key (PKCS#8), the certificate, the certificate followed by the CA. */
  key: string;
  cert: string;
  chain: string;
}

async function createCa(now: Date) {
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: 'CN=Development Enterprise CA, O=esign-orchestrator development, C=NO',
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 20 * YEAR_MS),
      keys,
      signingAlgorithm: signParams(keys.privateKey),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certificate, privateKey: keys.privateKey };
}

async function issue(
  ca: EnterprisePki['ca'],
  subject: string,
  publicKey: CryptoKey,
  extensions: x509.Extension[],
  years: number,
): Promise<x509.X509Certificate> {
  const now = Date.now();
  return x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject,
      issuer: ca.certificate.subject,
      notBefore: new Date(now - 3600_000),
      notAfter: new Date(now + years * YEAR_MS),
      publicKey,
      signingKey: ca.privateKey,
      signingAlgorithm: signParams(ca.privateKey),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false, crypto),
        ...extensions,
      ],
    },
    crypto,
  );
}

/** The server certificate: the service's organisation number, valid for the given host names. */
async function issueServer(ca: EnterprisePki['ca'], serviceOrg: string, hostnames: string[]) {
  const keys = await generateKeyPair();
  const cert = await issue(
    ca,
    `CN=${hostnames[0]}, O=esign-orchestrator development, 2.5.4.5=${serviceOrg}, C=NO`,
    keys.publicKey,
    [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hostnames.map((h) =>
          /^[0-9.]+$/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
        ),
      ),
    ],
    5,
  );
  return { key: await privateKeyToPem(keys.privateKey), cert: cert.toString('pem') };
}

/**
 * Revocation data for seals of the development enterprise CA: its own CRL, issued now (nothing
 * is ever revoked in development). The XML API's `revocation` in development and tests.
 */
export function enterpriseCrls(pki: Pick<EnterprisePki, 'ca'>): () => Promise<Uint8Array[]> {
  return async () => [await signCrl(pki.ca, new Date())];
}

/** Loads the enterprise PKI from `dir`, or creates it there on first use. */
export async function loadOrCreateEnterprisePki(
  dir: string,
  options: { serviceOrg?: string; hostnames?: string[] } = {},
): Promise<EnterprisePki> {
  const serviceOrg = options.serviceOrg ?? DEV_SERVICE_ORG_NUMBER;
  const hostnames = options.hostnames ?? ['localhost', '127.0.0.1'];
  const files = {
    caCert: join(dir, 'enterprise-ca.pem'),
    caKey: join(dir, 'enterprise-ca.key.pem'),
    serverCert: join(dir, `server-${serviceOrg}.pem`),
    serverKey: join(dir, `server-${serviceOrg}.key.pem`),
  };
  let ca: EnterprisePki['ca'];
  try {
    const certificate = new x509.X509Certificate(await readFile(files.caCert, 'utf8'));
    ca = {
      certificate,
      privateKey: await privateKeyFromPem(await readFile(files.caKey, 'utf8'), certificate),
    };
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    ca = await createCa(new Date());
    await writeFile(files.caKey, await privateKeyToPem(ca.privateKey), { mode: 0o600 });
    await writeFile(files.caCert, ca.certificate.toString('pem'));
  }
  let server: EnterprisePki['server'];
  try {
    server = { key: await readFile(files.serverKey, 'utf8'), cert: await readFile(files.serverCert, 'utf8') };
  } catch {
    server = await issueServer(ca, serviceOrg, hostnames);
    await writeFile(files.serverKey, server.key, { mode: 0o600 });
    await writeFile(files.serverCert, server.cert);
  }
  const caDirectory = join(dir, 'client-trust');
  await mkdir(caDirectory, { recursive: true });
  await writeFile(join(caDirectory, 'enterprise-ca.pem'), ca.certificate.toString('pem'));
  return { ca, caPem: ca.certificate.toString('pem'), server, serviceOrg, caDirectory };
}

/** A sender's (or broker's) test enterprise certificate: RSA 2048, valid two years. */
export async function issueEnterpriseCertificate(
  pki: EnterprisePki,
  org: string,
  name = `Test sender ${org}`,
): Promise<IssuedEnterpriseCertificate> {
  const keys = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await issue(
    pki.ca,
    `CN=${name.replace(/[,=+<>#;"\\]/g, ' ')}, O=${name.replace(/[,=+<>#;"\\]/g, ' ')}, 2.5.4.97=NTRNO-${org}, 2.5.4.5=${org}, C=NO`,
    keys.publicKey,
    [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
    2,
  );
  const certPem = cert.toString('pem');
  return {
    org,
    key: await privateKeyToPem(keys.privateKey),
    cert: certPem,
    chain: `${certPem}\n${pki.caPem}`,
  };
}

/**
 * The certificate as PKCS#12 (key, certificate and CA; AES-256, as Java's KeyStore reads it), by
 * the openssl command line: what `KeyStoreConfig.fromOrganizationCertificate` of the client loads.
 */
export async function toPkcs12(issued: IssuedEnterpriseCertificate, password: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'esign-p12-'));
  try {
    await writeFile(join(dir, 'key.pem'), issued.key, { mode: 0o600 });
    await writeFile(join(dir, 'chain.pem'), issued.chain);
    await promisify(execFile)(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-inkey',
        join(dir, 'key.pem'),
        '-in',
        join(dir, 'chain.pem'),
        '-name',
        issued.org,
        '-passout',
        'env:P12_PASSWORD',
        '-out',
        join(dir, 'out.p12'),
      ],
      { env: { ...process.env, P12_PASSWORD: password } },
    );
    return await readFile(join(dir, 'out.p12'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
