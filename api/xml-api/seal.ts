/**
 * The sender's seal over a document bundle: the XAdES in `META-INF/signatures.xml`, checked as the
 * national service checks it (XAdES-BES): inclusive C14N 1.0 and RSA-SHA256 over SignedInfo; a
 * SHA-256 digest per zip entry (raw bytes, no transforms) and for `#SignedProperties`; the signing
 * certificate is the KeyInfo leaf and matches the signed SigningCertificate digest; it chains to a
 * trusted enterprise CA and carries an organisation number. xadesjs/xmldsigjs (kept libraries)
 * canonicalise and verify; the zip entries reach them through xmldsigjs's content handler.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as xadesjs from 'xadesjs';
import { validateChain } from '../../src/signing/chain.js';
import { crypto } from '../../src/signing/engines.js';
import { DSIG_NS, XADES_NS } from '../../src/signing/xades.js';
import { organisationNumberOfCertificate } from '../http/client-certificate.js';
import { parseXml, type XmlInputError } from './xml.js';

export const SIGNATURES_ENTRY = 'META-INF/signatures.xml';
export const MANIFEST_ENTRY = 'manifest.xml';
const ASIC_NS = 'http://uri.etsi.org/2918/v1.2.1#';
const C14N_10 = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
const CERT_DIGESTS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  [SHA256]: 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** The seal does not hold: 400 INVALID_SEAL (403 when only the certificate is not trusted). */
export class SealError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 403 = 400,
  ) {
    super(message);
    this.name = 'SealError';
  }
}

const invalid = (message: string) =>
  new SealError('INVALID_SEAL', `the seal (${SIGNATURES_ENTRY}) ${message}`);

const elementChildren = (parent: Element, ns: string, name: string): Element[] => {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name)
      out.push(n as Element);
  }
  return out;
};
const only = (parent: Element, ns: string, name: string): Element => {
  const found = elementChildren(parent, ns, name);
  if (found.length !== 1) throw invalid(`must have exactly one ${name} in ${parent.localName}`);
  return found[0]!;
};

/** CRLs that tell the status of a seal's certificates (the enterprise CAs' own). */
export type RevocationSource = (certificates: x509.X509Certificate[]) => Promise<Uint8Array[]>;

export interface VerifiedSeal {
  certificate: x509.X509Certificate;
  /** The organisation number in the sealing certificate's subject. */
  org: string;
}

/**
 * Verifies the seal over `entries`; `covered` are the entry names that must be among its
 * references (every document of the manifest, and the manifest itself).
 */
export async function verifyBundleSeal(
  entries: Map<string, Uint8Array>,
  covered: readonly string[],
  anchors: x509.X509Certificate[],
  revocation: RevocationSource,
  at: Date = new Date(),
): Promise<VerifiedSeal> {
  const bytes = entries.get(SIGNATURES_ENTRY);
  if (!bytes) throw invalid('is missing from the document bundle');
  let root: Element;
  try {
    root = parseXml(bytes, SIGNATURES_ENTRY);
  } catch (err) {
    throw invalid((err as XmlInputError).message);
  }
  if (root.namespaceURI !== ASIC_NS || root.localName !== 'XAdESSignatures') {
    throw invalid(`must have the root element {${ASIC_NS}}XAdESSignatures`);
  }
  const signature = only(root, DSIG_NS, 'Signature');
  const signedInfo = only(signature, DSIG_NS, 'SignedInfo');
  const algorithmOf = (name: string) => only(signedInfo, DSIG_NS, name).getAttribute('Algorithm');
  if (algorithmOf('CanonicalizationMethod') !== C14N_10)
    throw invalid(`must use canonicalisation ${C14N_10}`);
  if (algorithmOf('SignatureMethod') !== RSA_SHA256) throw invalid(`must use signature method ${RSA_SHA256}`);

  // Every reference: SHA-256; the signed properties once, in the signature; the rest zip entries.
  const referenced = new Set<string>();
  let signedProperties = 0;
  for (const ref of elementChildren(signedInfo, DSIG_NS, 'Reference')) {
    const uri = ref.getAttribute('URI') ?? '';
    if (only(ref, DSIG_NS, 'DigestMethod').getAttribute('Algorithm') !== SHA256) {
      throw invalid(`reference ${JSON.stringify(uri)} must use digest ${SHA256}`);
    }
    const transforms = elementChildren(ref, DSIG_NS, 'Transforms')
      .flatMap((t) => elementChildren(t, DSIG_NS, 'Transform'))
      .map((t) => t.getAttribute('Algorithm'));
    if (uri.startsWith('#')) {
      if (uri !== '#SignedProperties' || ref.getAttribute('Type') !== SIGNED_PROPERTIES_TYPE) {
        throw invalid(`has a reference ${JSON.stringify(uri)} that is not the signed properties`);
      }
      if (transforms.some((t) => t !== C14N_10))
        throw invalid('may transform the signed properties only by C14N 1.0');
      signedProperties++;
      continue;
    }
    let name: string;
    try {
      name = decodeURIComponent(uri);
    } catch {
      throw invalid(`has a reference URI that is not valid: ${JSON.stringify(uri)}`);
    }
    if (transforms.length > 0) throw invalid(`must not transform the file ${name}`);
    if (!entries.has(name) || name === SIGNATURES_ENTRY)
      throw invalid(`refers to ${name}, which is not in the bundle`);
    if (referenced.has(name)) throw invalid(`refers to ${name} twice`);
    referenced.add(name);
  }
  if (signedProperties !== 1) throw invalid('must have exactly one reference to #SignedProperties');
  for (const name of covered) {
    if (!referenced.has(name)) throw invalid(`does not cover ${name}`);
  }

  // The signing certificate: the KeyInfo leaf, and the one the signed properties name.
  const certificates = elementChildren(only(signature, DSIG_NS, 'KeyInfo'), DSIG_NS, 'X509Data')
    .flatMap((d) => elementChildren(d, DSIG_NS, 'X509Certificate'))
    .map((c) => {
      try {
        return new x509.X509Certificate(Buffer.from((c.textContent ?? '').replace(/\s+/g, ''), 'base64'));
      } catch {
        throw invalid('has a KeyInfo certificate that cannot be read');
      }
    });
  const leaf = certificates[0];
  if (!leaf) throw invalid('has no certificate in KeyInfo/X509Data');
  if (!/RSA/i.test(leaf.publicKey.algorithm.name)) throw invalid('must be made with an RSA key');
  const signingCertificate = signature.getElementsByTagNameNS(XADES_NS, 'SigningCertificate');
  const certs =
    signingCertificate.length === 1 ? signingCertificate[0]!.getElementsByTagNameNS(XADES_NS, 'Cert') : [];
  if (certs.length !== 1) throw invalid('must name exactly one certificate in SigningCertificate');
  const certDigest = certs[0]!.getElementsByTagNameNS(XADES_NS, 'CertDigest')[0];
  const hash =
    CERT_DIGESTS[
      certDigest?.getElementsByTagNameNS(DSIG_NS, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? ''
    ];
  const expected = certDigest
    ?.getElementsByTagNameNS(DSIG_NS, 'DigestValue')[0]
    ?.textContent?.replace(/\s+/g, '');
  if (!hash || !expected) throw invalid('has a SigningCertificate without a usable CertDigest');
  const actual = createHash(hash).update(new Uint8Array(leaf.rawData)).digest('base64');
  if (actual !== expected) throw invalid('names a SigningCertificate other than the KeyInfo certificate');

  // Core validation: every reference digest and the signature value.
  let valid = false;
  try {
    const signedXml = new xadesjs.SignedXml(root.ownerDocument);
    signedXml.LoadXml(signature);
    Object.assign(signedXml, {
      // File references point outside the XML: their content is the zip entry's raw bytes.
      contentHandler: async (reference: { Uri?: string }) =>
        reference.Uri && !reference.Uri.startsWith('#')
          ? entries.get(decodeURIComponent(reference.Uri))!
          : null,
    });
    const key = await leaf.publicKey.export(
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      ['verify'],
      crypto,
    );
    valid = await signedXml.Verify(key);
  } catch (err) {
    // xmldsigjs throws (plain objects, not Errors) when a reference digest does not match.
    throw invalid(`does not verify: ${(err as { message?: string })?.message ?? String(err)}`);
  }
  if (!valid) throw invalid('does not verify: the signature value does not match the signed content');

  const chain = await validateChain(leaf, {
    pool: certificates.slice(1),
    anchors,
    at,
    crls: await revocation(certificates),
    use: 'document-signature',
  });
  if (!chain.trusted) {
    throw new SealError(
      'UNTRUSTED_SEAL',
      `the seal's certificate is not from a trusted enterprise CA: ${chain.problems.join('; ')}`,
      403,
    );
  }
  const org = organisationNumberOfCertificate(new Uint8Array(leaf.rawData));
  if (!org)
    throw new SealError('UNTRUSTED_SEAL', "the seal's certificate carries no organisation number", 403);
  return { certificate: leaf, org };
}
