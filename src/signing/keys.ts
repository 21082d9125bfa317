/**
 * Key handling shared by the PKI, the CMS code and the XAdES code: which WebCrypto algorithm a
 * certificate's key needs, and PEM/PKCS#8 conversion.
 *
 * Two key types are supported: ECDSA P-256 (what the development PKI creates: fast to generate and
 * sign, accepted by NSS/pdfsig, OpenSSL, xmlsec1 and pyHanko) and RSA PKCS#1 v1.5 with SHA-256
 * (what production PKIs and eID providers commonly issue). RSA-PSS is deliberately not offered:
 * several validators still handle it poorly in CMS and XML-DSig.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { crypto } from './engines.js';

export type KeyAlgorithmKind = 'ECDSA-P256' | 'RSA';

/** A private key with its certificate and the certificates between it and a trust anchor. */
export interface CertifiedKey {
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
  /** Issuer chain, nearest first, possibly ending with the root. Excludes `certificate`. */
  chain: x509.X509Certificate[];
}

const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';
const RSA_ENCRYPTION_OID = '1.2.840.113549.1.1.1';

export function keyKindOfCertificate(cert: x509.X509Certificate): KeyAlgorithmKind {
  const oid = cert.publicKey.algorithm.name;
  if (oid === 'ECDSA' || oid === EC_PUBLIC_KEY_OID) return 'ECDSA-P256';
  if (oid === 'RSASSA-PKCS1-v1_5' || oid === RSA_ENCRYPTION_OID || oid === 'RSA-PSS') return 'RSA';
  throw new Error(`unsupported certificate key algorithm ${oid}`);
}

export function keyKindOfKey(key: CryptoKey): KeyAlgorithmKind {
  if (key.algorithm.name === 'ECDSA') return 'ECDSA-P256';
  if (key.algorithm.name === 'RSASSA-PKCS1-v1_5') return 'RSA';
  throw new Error(`unsupported key algorithm ${key.algorithm.name}`);
}

/** The WebCrypto parameters to import a key of this kind. */
export function importParams(kind: KeyAlgorithmKind): EcKeyImportParams | RsaHashedImportParams {
  return kind === 'ECDSA-P256'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** The WebCrypto parameters to sign with a key of this kind (always SHA-256). */
export function signParams(key: CryptoKey): EcdsaParams | Algorithm {
  return keyKindOfKey(key) === 'ECDSA-P256'
    ? { name: 'ECDSA', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5' };
}

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Imports a PKCS#8 PEM key, as the kind the certificate says it is. */
export async function privateKeyFromPem(pem: string, cert: x509.X509Certificate): Promise<CryptoKey> {
  const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((b) => b.type === 'PRIVATE KEY');
  const first = blocks[0];
  if (!first)
    throw new Error('no PKCS#8 "PRIVATE KEY" block found (convert with: openssl pkcs8 -topk8 -nocrypt)');
  // Extractable so a development key can be exported to PKCS#12/PEM for tools such as pyHanko.
  return crypto.subtle.importKey('pkcs8', first.rawData, importParams(keyKindOfCertificate(cert)), true, [
    'sign',
  ]);
}

/** All certificates in a PEM text, in file order. */
export function certificatesFromPem(pem: string): x509.X509Certificate[] {
  return x509.PemConverter.decodeWithHeaders(pem)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => new x509.X509Certificate(b.rawData));
}

export function certificatesToPem(certs: x509.X509Certificate[]): string {
  return `${certs.map((c) => c.toString('pem')).join('\n')}\n`;
}
