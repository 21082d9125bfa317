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

/**
 * An empty CRL signed by `ca`, issued at `thisUpdate` (to the second: its number is that second),
 * valid for a week. Also what the development enterprise CA of the XML API issues.
 */
export function signCrl(
  ca: { certificate: x509.X509Certificate; privateKey: CryptoKey },
  thisUpdate: Date,
): Promise<Uint8Array> {
  const second = Math.floor(thisUpdate.getTime() / 1000);
  const at = new Date(second * 1000);
  return x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate: at,
    nextUpdate: new Date(at.getTime() + VALIDITY_MS),
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
    crl = signCrl(ca, new Date(second * 1000));
    perPki.set(key, crl);
    // Oldest first in a Map: drop what no signature will ask for again.
    for (const old of perPki.keys()) {
      if (perPki.size <= CACHED_CRLS) break;
      perPki.delete(old);
    }
  }
  return crl;
}

const FETCH_TIMEOUT_MS = 5_000;
const MAX_FETCHED_CRL_BYTES = 4 * 1024 * 1024;
/** Fetched CRLs by URL, kept until their nextUpdate (at most a day). */
const fetched = new Map<string, { crl: Uint8Array; until: number }>();

/**
 * The CRL of a CA we neither run nor have a file for (an outside time-stamping authority's), from
 * the certificate's http distribution point. Undefined when there is none or it cannot be had:
 * the signature is then made without it, and a verifier will say its status is unknown.
 */
async function fetchCrl(cert: x509.X509Certificate): Promise<Uint8Array | undefined> {
  let urls: string[] = [];
  try {
    const ext = cert.getExtension(x509.CRLDistributionPointsExtension);
    urls = (ext?.distributionPoints ?? []).flatMap((dp) =>
      (dp.distributionPoint?.fullName ?? []).flatMap((n) =>
        n.uniformResourceIdentifier?.startsWith('http') ? [n.uniformResourceIdentifier] : [],
      ),
    );
  } catch {
    return undefined;
  }
  for (const url of urls) {
    const cached = fetched.get(url);
    if (cached && cached.until > Date.now()) return cached.crl;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok || Number(res.headers.get('content-length') ?? 0) > MAX_FETCHED_CRL_BYTES) continue;
      const der = new Uint8Array(await res.arrayBuffer());
      if (der.byteLength > MAX_FETCHED_CRL_BYTES) continue;
      const crl = new x509.X509Crl(bufferOf(der));
      if (crl.issuer !== cert.issuer) continue;
      const until = Math.min(crl.nextUpdate?.getTime() ?? 0, Date.now() + 24 * HOUR_MS);
      fetched.set(url, { crl: der, until });
      return der;
    } catch {
      // Unreachable or not a CRL: try the next distribution point.
    }
  }
  return undefined;
}

/**
 * Revocation data for certificates: the CRL of each issuer we run or have a CRL file for, else
 * fetched from the certificate's distribution point. Root certificates need none (they are trust
 * anchors).
 */
export async function crlsFor(
  pki: Pki,
  certs: x509.X509Certificate[],
  now: Date = new Date(),
): Promise<Uint8Array[]> {
  const out = new Map<string, Promise<Uint8Array | undefined>>();
  for (const cert of certs) {
    if (cert.subject === cert.issuer) continue;
    const issuer = cert.issuer;
    if (out.has(issuer)) continue;
    const own = crlNames(pki).find((n) => pki.crlIssuers[n]!.certificate.subject === issuer);
    if (own) out.set(issuer, createCrl(pki, own, now));
    else {
      const file = pki.staticCrls.get(issuer);
      out.set(issuer, file ? Promise.resolve(file) : fetchCrl(cert));
    }
  }
  return (await Promise.all(out.values())).filter((crl): crl is Uint8Array => !!crl);
}

/**
 * Revocation data for certificates of CAs the service does not run (senders' enterprise CAs):
 * each issuer's CRL from the certificate's http distribution point, where it can be had.
 */
export async function distributionPointCrls(certs: x509.X509Certificate[]): Promise<Uint8Array[]> {
  const byIssuer = new Map<string, Promise<Uint8Array | undefined>>();
  for (const cert of certs) {
    if (cert.subject === cert.issuer || byIssuer.has(cert.issuer)) continue;
    byIssuer.set(cert.issuer, fetchCrl(cert));
  }
  return (await Promise.all(byIssuer.values())).filter((crl): crl is Uint8Array => !!crl);
}
