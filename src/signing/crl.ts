/**
 * Certificate revocation lists of the CAs the service runs, served at `<crlBaseUrl>/<name>.crl`
 * and embedded in signatures for long-term validation (XAdES RevocationValues, the PDF's DSS).
 *
 * Nothing is ever revoked in development, so a CRL is an empty, signed list. A CRL is issued for
 * the moment it is used, to the second: its thisUpdate is at (never after) the moment a signature
 * embeds it, and with no revocations it cannot predate the last one it reports. A validator that
 * checks revocation freshness sees status information from the signature's own time, not from
 * the top of the hour before it. The CRL number is that second, so it grows without any stored
 * counter.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { bufferOf, tlv } from './der.js';
import { signParams } from './keys.js';
import type { CaName, Pki } from './pki.js';

const HOUR_MS = 3600_000;
const VALIDITY_MS = 7 * 24 * HOUR_MS;
/** CRLs kept per PKI: signatures made within the same second share one. */
const CACHED_CRLS = 32;
const cache = new WeakMap<Pki, Map<string, Promise<Uint8Array>>>();

function crlNumberExtension(n: number): x509.Extension {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return new x509.Extension('2.5.29.20', false, bufferOf(tlv(0x02, Uint8Array.from(bytes))));
}

/** The CAs whose CRLs this PKI can issue. */
export function crlNames(pki: Pki): CaName[] {
  return (Object.keys(pki.crlIssuers) as CaName[]).filter((n) => pki.crlIssuers[n]);
}

/** The DER CRL of one of our CAs, as of `now`. */
export function createCrl(pki: Pki, name: CaName, now: Date = new Date()): Promise<Uint8Array> {
  const ca = pki.crlIssuers[name];
  if (!ca) throw new Error(`no CRL issuer "${name}" in this PKI`);
  const second = Math.floor(now.getTime() / 1000);
  const perPki = cache.get(pki) ?? new Map<string, Promise<Uint8Array>>();
  cache.set(pki, perPki);
  const key = `${name}@${second}`;
  let crl = perPki.get(key);
  if (!crl) {
    const thisUpdate = new Date(second * 1000);
    crl = x509.X509CrlGenerator.create({
      issuer: ca.certificate.subjectName,
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + VALIDITY_MS),
      signingKey: ca.privateKey,
      signingAlgorithm: signParams(ca.privateKey),
      extensions: [
        crlNumberExtension(second),
        new x509.AuthorityKeyIdentifierExtension(
          ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? '',
        ),
      ],
      entries: [],
    }).then((c) => new Uint8Array(c.rawData));
    perPki.set(key, crl);
    // Oldest first in a Map: drop what no signature will ask for again.
    for (const old of perPki.keys()) {
      if (perPki.size <= CACHED_CRLS) break;
      perPki.delete(old);
    }
  }
  return crl;
}

/**
 * Revocation data for certificates: the CRL of each issuer we run or have a CRL file for.
 * Root certificates need none (they are trust anchors).
 */
export async function crlsFor(
  pki: Pki,
  certs: x509.X509Certificate[],
  now: Date = new Date(),
): Promise<Uint8Array[]> {
  const out = new Map<string, Promise<Uint8Array>>();
  for (const cert of certs) {
    if (cert.subject === cert.issuer) continue;
    const issuer = cert.issuer;
    if (out.has(issuer)) continue;
    const own = crlNames(pki).find((n) => pki.crlIssuers[n]!.certificate.subject === issuer);
    if (own) out.set(issuer, createCrl(pki, own, now));
    else {
      const file = pki.staticCrls.get(issuer);
      if (file) out.set(issuer, Promise.resolve(file));
    }
  }
  return Promise.all(out.values());
}
