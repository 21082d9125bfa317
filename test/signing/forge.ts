/**
 * What an attacker (or a careless CA) can make with real keys: certificates issued by any key we
 * hold, with any name and extensions, and signatures made with them by the same code the service
 * signs with. The forgery tests feed these to the verifier and to openssl.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { type CertifiedKey, generateKeyPair, signParams } from '../../src/signing/keys.js';

const HOUR = 3600_000;

export interface ForgeParams {
  /** Common name; `pid` adds the serialNumber `UN:NO-<pid>` a person certificate carries. */
  cn: string;
  pid?: string;
  organisation?: string;
  /** The key that signs the certificate, and its chain (nearest first). */
  issuer: CertifiedKey;
  extensions: x509.Extension[];
  notBefore?: Date;
  notAfter?: Date;
}

/** A certificate signed by `issuer` with exactly the given extensions, and its new key. */
export async function forge(params: ForgeParams): Promise<CertifiedKey> {
  const keys = await generateKeyPair();
  const subject: x509.JsonName = [
    { '2.5.4.6': ['NO'] },
    ...(params.organisation ? [{ '2.5.4.10': [params.organisation] }] : []),
    { '2.5.4.3': [params.cn] },
    ...(params.pid ? [{ '2.5.4.5': [`UN:NO-${params.pid}`] }] : []),
  ];
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 1;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject,
    issuer: params.issuer.certificate.subjectName,
    notBefore: params.notBefore ?? new Date(Date.now() - HOUR),
    notAfter: params.notAfter ?? new Date(Date.now() + 365 * 24 * HOUR),
    publicKey: keys.publicKey,
    signingKey: params.issuer.privateKey,
    signingAlgorithm: signParams(params.issuer.privateKey),
    extensions: [
      ...params.extensions,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(params.issuer.certificate, false),
    ],
  });
  return {
    certificate,
    privateKey: keys.privateKey,
    chain: [params.issuer.certificate, ...params.issuer.chain],
  };
}

export const signerUsage = () => new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true);
export const caUsage = () =>
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);
export const tsaUsages = () => [
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
];

/** A CRL of `ca` listing `revoked` as revoked an hour ago. */
export async function revokingCrl(ca: CertifiedKey, revoked: x509.X509Certificate): Promise<Uint8Array> {
  const now = new Date();
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate: new Date(Math.floor(now.getTime() / 1000) * 1000),
    nextUpdate: new Date(now.getTime() + 24 * HOUR),
    signingKey: ca.privateKey,
    signingAlgorithm: signParams(ca.privateKey),
    entries: [{ serialNumber: revoked.serialNumber, revocationDate: new Date(now.getTime() - HOUR) }],
  });
  return new Uint8Array(crl.rawData);
}
