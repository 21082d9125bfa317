/** A throwaway PKI for mutual TLS tests: a CA, a server certificate, enterprise client certificates. */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const notBefore = () => new Date(Date.now() - 60_000);
const notAfter = () => new Date(Date.now() + 24 * 3600_000);

export interface Issued {
  cert: string;
  key: string;
}

async function keyPem(key: CryptoKey) {
  return x509.PemConverter.encode(
    await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey),
    'PRIVATE KEY',
  );
}

const newKeys = () => webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

export async function createCa(name: string) {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: notBefore(),
    notAfter: notAfter(),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });

  /** A certificate for `subject` (JSON name: OID or short name to values) issued by this CA. */
  async function issue(subject: x509.JsonName, extensions: x509.Extension[] = []): Promise<Issued> {
    const leafKeys = await newKeys();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: webcrypto
        .getRandomValues(new Uint8Array(8))
        .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7'),
      subject: new x509.Name(subject),
      issuer: cert.subject,
      notBefore: notBefore(),
      notAfter: notAfter(),
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: ALG,
      extensions: [new x509.BasicConstraintsExtension(false), ...extensions],
    });
    return { cert: leaf.toString('pem'), key: await keyPem(leafKeys.privateKey) };
  }

  return {
    pem: cert.toString('pem'),
    issue,
    server: () =>
      issue(
        [{ CN: ['127.0.0.1'] }],
        [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
      ),
    /** An enterprise certificate: organisationIdentifier NTRNO-<org>, or the bare number as serialNumber. */
    enterprise: (org: string, field: 'organizationIdentifier' | 'serialNumber' = 'organizationIdentifier') =>
      issue([
        { CN: [`Sender ${org}`] },
        field === 'organizationIdentifier' ? { '2.5.4.97': [`NTRNO-${org}`] } : { '2.5.4.5': [org] },
      ]),
  };
}
