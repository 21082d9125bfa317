/**
 * A signer's signature object: XAdES over the documents of the job, made the moment the signer
 * signs, by the development sign endpoint and the browser ceremony alike.
 *
 * Design: the signed content is a small XML statement, `SignedDocuments`, naming the job, every
 * document with its SHA-256 digest, the signer and the authentication facts; the ds:Signature is
 * enveloped in it (Reference URI="" with the enveloped-signature transform). The documents stay
 * outside the XML, yet their digests are signed, and any XML-DSig validator (xmlsec1 included)
 * can verify the file on its own without being handed the documents.
 *
 * Key: the signer's own key and certificate (advanced signature), or the service seal
 * (authenticated signature: the service witnessed the eID login and seals the statement).
 * Then extended for long-term validation: SignatureTimeStamp (XAdES B-T), CertificateValues and
 * RevocationValues (XAdES LT).
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { constants as cryptoConstants, KeyObject, publicDecrypt } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import * as xadesjs from 'xadesjs';
import { XmlDsigExcC14NTransform } from 'xmldsigjs';
import type { AuthenticationLevel, SignatureType } from '../job/model.js';
import { parseXmlDocument } from '../xml/parse.js';
import { sha256 } from './cms.js';
import { crlsFor } from './crl.js';
import { crypto } from './engines.js';
import { type CertifiedKey, keyKindOfCertificate, signParams } from './keys.js';
import type { Pki } from './pki.js';
import { type TimeStamper, timeStampTime, tokenCertificates } from './tsa.js';

export const SIGNED_DOCUMENTS_NS = 'urn:esign:signed-documents:v1';
export const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const SHA256_URI = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface XadesDocument {
  title: string;
  fileName: string;
  mimeType: string;
  sha256: Uint8Array;
}

export interface XadesSigner {
  name: string;
  personalIdentificationNumber?: string;
  customIdentifier?: string;
  signatureType: SignatureType;
  authenticationLevel: AuthenticationLevel;
  authenticatedAt: Date;
  signedAt: Date;
  /** Who authenticated the signer, e.g. "BankID" or "ID-porten". */
  eidProvider?: string;
}

export type XadesKey =
  | { kind: 'service' }
  | {
      kind: 'personal';
      privateKey: CryptoKey;
      certificate: x509.X509Certificate;
      chain: x509.X509Certificate[];
    };

export interface SignerXadesInput {
  documents: XadesDocument[];
  jobId: string;
  signer: XadesSigner;
  key: XadesKey;
  pki: Pki;
  timeStamper: TimeStamper;
}

const b64 = (bytes: Uint8Array | ArrayBuffer) =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64');

function buildStatement(input: Pick<SignerXadesInput, 'documents' | 'jobId' | 'signer'>): Document {
  const doc = new DOMImplementation().createDocument(SIGNED_DOCUMENTS_NS, 'SignedDocuments', null);
  const root = doc.documentElement!;
  root.setAttribute('Version', '1');
  const el = (parent: Element, name: string, text?: string, attrs: Record<string, string> = {}) => {
    const e = doc.createElementNS(SIGNED_DOCUMENTS_NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.appendChild(doc.createTextNode(text));
    parent.appendChild(e);
    return e;
  };
  el(root, 'JobId', input.jobId);
  const docs = el(root, 'Documents');
  for (const d of input.documents) {
    const e = el(docs, 'Document');
    el(e, 'Title', d.title);
    el(e, 'FileName', d.fileName);
    el(e, 'MimeType', d.mimeType);
    el(e, 'DigestMethod', undefined, { Algorithm: SHA256_URI });
    el(e, 'DigestValue', b64(d.sha256));
  }
  const s = input.signer;
  const signer = el(root, 'Signer');
  el(signer, 'Name', s.name);
  if (s.personalIdentificationNumber)
    el(signer, 'PersonalIdentificationNumber', s.personalIdentificationNumber);
  if (s.customIdentifier) el(signer, 'CustomIdentifier', s.customIdentifier);
  el(signer, 'SignatureType', s.signatureType);
  el(signer, 'SignedAt', s.signedAt.toISOString());
  const auth = el(root, 'Authentication');
  el(auth, 'Level', String(s.authenticationLevel));
  el(auth, 'AuthenticatedAt', s.authenticatedAt.toISOString());
  el(auth, 'EidProvider', s.eidProvider ?? 'Test eID');
  return doc;
}

function signingMaterial(input: SignerXadesInput): CertifiedKey {
  return input.key.kind === 'service'
    ? input.pki.seal
    : { privateKey: input.key.privateKey, certificate: input.key.certificate, chain: input.key.chain };
}

/** The exclusive canonical form of ds:SignatureValue: what a XAdES SignatureTimeStamp covers. */
export function canonicalSignatureValue(signature: Element): Uint8Array {
  const value = signature.getElementsByTagNameNS(DSIG_NS, 'SignatureValue')[0];
  if (!value) throw new Error('signature has no SignatureValue');
  const transform = new XmlDsigExcC14NTransform();
  transform.LoadInnerXml(value);
  return new TextEncoder().encode(transform.GetOutput());
}

/** Creates the signer's XAdES (B-T, then LT), as UTF-8 XML bytes. */
export async function createSignerXades(input: SignerXadesInput): Promise<Uint8Array> {
  if (input.documents.length === 0) throw new Error('nothing to sign: no documents');
  const material = signingMaterial(input);
  const doc = buildStatement(input);
  const signatureElement = await envelopSignature(doc, material.privateKey, material, input.signer.signedAt);
  await addLongTermValidationData(doc, signatureElement, material, input);
  return serialise(doc);
}

/**
 * Signs the statement with `key` (XAdES-B: the signing certificate and time as signed properties,
 * the certificate and chain in KeyInfo) and envelops the ds:Signature in it.
 */
async function envelopSignature(
  doc: Document,
  key: CryptoKey,
  certified: RemoteSigningCertificate,
  signedAt: Date,
): Promise<Element> {
  const certB64 = b64(certified.certificate.rawData);
  const algorithm: EcdsaParams = { name: signParams(key).name, hash: 'SHA-256' };
  const signature = await new xadesjs.SignedXml().Sign(algorithm, key, doc, {
    references: [{ uri: '', hash: 'SHA-256', transforms: ['enveloped', 'exc-c14n'] }],
    signingCertificateV2: certB64,
    signingTime: { value: signedAt },
  });
  const signatureElement = signature.GetXml();
  if (!signatureElement) throw new Error('xadesjs produced no signature element');
  doc.documentElement!.appendChild(signatureElement);
  addKeyInfo(signatureElement, [certB64, ...certified.chain.map((c) => b64(c.rawData))]);
  return signatureElement;
}

const serialise = (doc: Document) =>
  new TextEncoder().encode(
    `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}`,
  );

/** The certificate of a key held elsewhere (a remote signing service), with its issuer chain. */
export interface RemoteSigningCertificate {
  certificate: x509.X509Certificate;
  chain: x509.X509Certificate[];
}

/**
 * The first half of a signer's XAdES whose key is held by a remote signing service: the signed
 * statement and every signed property, and the SHA-256 digest of the canonical ds:SignedInfo that
 * the service must sign with the person's key. Only RSA PKCS#1 v1.5 keys (what the Norwegian eID
 * providers issue). `xml` is kept until the signature value comes back (`completeRemoteSignerXades`).
 */
export async function prepareRemoteSignerXades(
  input: Omit<SignerXadesInput, 'key' | 'timeStamper'> & { remote: RemoteSigningCertificate },
): Promise<{ xml: string; digest: Uint8Array }> {
  if (input.documents.length === 0) throw new Error('nothing to sign: no documents');
  if (keyKindOfCertificate(input.remote.certificate) !== 'RSA') {
    throw new Error('remote signing supports RSA certificates only');
  }
  const doc = buildStatement(input);
  // xadesjs computes SignedInfo and signs it in one step: sign with a throwaway RSA key, then read
  // back from that signature (PKCS#1 v1.5 is reversible with the public key) exactly the digest
  // xadesjs signed. SignedInfo names only the algorithm, never the key, so it is the same bytes
  // the person's key must sign; the throwaway signature value is replaced on completion.
  const stand = await standInKey();
  const signatureElement = await envelopSignature(doc, stand.privateKey, input.remote, input.signer.signedAt);
  const value = signatureElement.getElementsByTagNameNS(DSIG_NS, 'SignatureValue')[0]?.textContent ?? '';
  const digestInfo = publicDecrypt(
    { key: stand.publicKey, padding: cryptoConstants.RSA_PKCS1_PADDING },
    Buffer.from(value, 'base64'),
  );
  return {
    xml: new XMLSerializer().serializeToString(doc),
    digest: new Uint8Array(digestInfo.subarray(-32)),
  };
}

/**
 * The second half: the person's signature value from the remote service goes into the prepared
 * XAdES, which is then extended as every signer's is (time-stamp, certificates, CRLs). The caller
 * has checked the value against the digest and certificate (src/eid/csc).
 */
export async function completeRemoteSignerXades(input: {
  xml: string;
  signatureValue: Uint8Array;
  remote: RemoteSigningCertificate;
  pki: Pki;
  timeStamper: TimeStamper;
}): Promise<Uint8Array> {
  const doc = parseXmlDocument(input.xml);
  const signatureElement = doc.getElementsByTagNameNS(DSIG_NS, 'Signature')[0];
  const value = signatureElement?.getElementsByTagNameNS(DSIG_NS, 'SignatureValue')[0];
  if (!signatureElement || !value) throw new Error('the prepared XAdES has no signature');
  while (value.firstChild) value.removeChild(value.firstChild);
  value.appendChild(doc.createTextNode(b64(input.signatureValue)));
  await addLongTermValidationData(doc, signatureElement, input.remote, input);
  return serialise(doc);
}

let standIn: Promise<{ privateKey: CryptoKey; publicKey: KeyObject }> | undefined;
/** One throwaway RSA key per process: it signs nothing that is kept. */
function standInKey() {
  standIn ??= crypto.subtle
    .generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )
    .then((pair) => ({ privateKey: pair.privateKey, publicKey: KeyObject.from(pair.publicKey) }));
  return standIn;
}

/**
 * ds:KeyInfo with the certificate and its chain in one ds:X509Data, written here rather than by
 * xadesjs: xadesjs writes one X509Data per certificate (xmlsec1 then tries to build a path from
 * each one alone and logs failures before it succeeds; one X509Data holding the whole chain is
 * what XML-DSig intends), and it parses every certificate it is given to do so, which was a
 * quarter of a signer's XAdES (profiled). KeyInfo is not signed (the enveloped-signature
 * transform leaves the whole ds:Signature out), so it may be added after signing.
 */
function addKeyInfo(signature: Element, certificatesB64: string[]): void {
  const doc = signature.ownerDocument!;
  const prefix = signature.prefix ? `${signature.prefix}:` : '';
  const ds = (name: string) => doc.createElementNS(DSIG_NS, `${prefix}${name}`);
  const keyInfo = ds('KeyInfo');
  const data = ds('X509Data');
  for (const cert of certificatesB64) {
    const e = ds('X509Certificate');
    e.appendChild(doc.createTextNode(cert));
    data.appendChild(e);
  }
  keyInfo.appendChild(data);
  // XML-DSig's order: SignedInfo, SignatureValue, KeyInfo, then the Objects (XAdES's among them).
  const value = signature.getElementsByTagNameNS(DSIG_NS, 'SignatureValue')[0];
  if (!value) throw new Error('xadesjs produced no SignatureValue');
  signature.insertBefore(keyInfo, value.nextSibling);
}

async function addLongTermValidationData(
  doc: Document,
  signature: Element,
  material: RemoteSigningCertificate,
  input: { pki: Pki; timeStamper: TimeStamper },
): Promise<void> {
  const qualifying = signature.getElementsByTagNameNS(XADES_NS, 'QualifyingProperties')[0];
  if (!qualifying) throw new Error('xadesjs produced no QualifyingProperties');
  const prefix = qualifying.prefix ? `${qualifying.prefix}:` : '';
  const xel = (name: string, text?: string) => {
    const e = doc.createElementNS(XADES_NS, `${prefix}${name}`);
    if (text !== undefined) e.appendChild(doc.createTextNode(text));
    return e;
  };

  const token = await input.timeStamper.timestamp(sha256(canonicalSignatureValue(signature)));
  const timeStamp = xel('SignatureTimeStamp');
  timeStamp.setAttribute('Id', `${signature.getAttribute('Id') ?? 'signature'}-timestamp`);
  const c14n = doc.createElementNS(DSIG_NS, 'ds:CanonicalizationMethod');
  c14n.setAttribute('Algorithm', EXC_C14N);
  timeStamp.appendChild(c14n);
  timeStamp.appendChild(xel('EncapsulatedTimeStamp', b64(token)));

  // The time-stamping authority's certificates as its token carries them, ours or an outside one.
  const certificates = [material.certificate, ...material.chain, ...tokenCertificates(token)];
  const unique = new Map(certificates.map((c) => [c.toString('hex'), c]));
  const certificateValues = xel('CertificateValues');
  for (const c of unique.values())
    certificateValues.appendChild(xel('EncapsulatedX509Certificate', b64(c.rawData)));

  const revocationValues = xel('RevocationValues');
  const crlValues = xel('CRLValues');
  // Revocation status as of the signature time-stamp's time, the time the signature is proven to
  // exist; never after now, the moment the CRL is embedded (an outside TSA's clock may run ahead).
  const statusAt = new Date(Math.min(timeStampTime(token).getTime(), Date.now()));
  for (const crl of await crlsFor(input.pki, [...unique.values()], statusAt)) {
    crlValues.appendChild(xel('EncapsulatedCRLValue', b64(crl)));
  }
  revocationValues.appendChild(crlValues);

  const unsignedSignatureProperties = xel('UnsignedSignatureProperties');
  unsignedSignatureProperties.appendChild(timeStamp);
  unsignedSignatureProperties.appendChild(certificateValues);
  unsignedSignatureProperties.appendChild(revocationValues);
  let unsigned = qualifying.getElementsByTagNameNS(XADES_NS, 'UnsignedProperties')[0];
  if (!unsigned) {
    unsigned = xel('UnsignedProperties');
    qualifying.appendChild(unsigned);
  }
  unsigned.appendChild(unsignedSignatureProperties);
}
