/**
 * XAdES B-LTA (ETSI EN 319 132-1): archive time-stamps for the signers' XAdES of jobs in
 * long-term storage, added when the job goes to the archive and at each renewal, alongside the
 * PAdES's document time-stamp.
 *
 * Each renewal first records the validation data of the newest time-stamp already there
 * (xadesv141:TimeStampValidationData: its authority's certificates and their CRLs as of now), then
 * adds a xadesv141:ArchiveTimeStamp over, in this order (EN 319 132-1 clause 5.5.2, explicit
 * canonicalisation): the output of every ds:Reference after its transforms, ds:SignedInfo,
 * ds:SignatureValue, ds:KeyInfo, every unsigned signature property before the new time-stamp, and
 * any ds:Object but the one holding the qualifying properties.
 *
 * The verifier computes that input with code of its own (xades-archive-check.ts), not with this:
 * an imprint made and checked by one function hides its mistakes from both sides.
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import { XMLSerializer } from '@xmldom/xmldom';
import { XmlDsigC14NTransform, XmlDsigExcC14NTransform } from 'xmldsigjs';
import { parseXmlDocument } from '../xml/parse.js';
import { digest, type HashName } from './cms.js';
import { crlsFor } from './crl.js';
import type { Pki } from './pki.js';
import { type TimeStamper, tokenCertificates } from './tsa.js';
import { DSIG_NS, XADES_NS } from './xades.js';

export const XADES141_NS = 'http://uri.etsi.org/01903/v1.4.1#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const DIGEST_BY_URI: Record<string, HashName> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'SHA-256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'SHA-384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'SHA-512',
};

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const utf8 = (s: string) => new TextEncoder().encode(s);

function canonical(node: Node, algorithm: string): Uint8Array {
  if (algorithm !== EXC_C14N && algorithm !== C14N)
    throw new Error(`unsupported canonicalisation ${algorithm}`);
  const transform = algorithm === EXC_C14N ? new XmlDsigExcC14NTransform() : new XmlDsigC14NTransform();
  transform.LoadInnerXml(node);
  return utf8(transform.GetOutput());
}

function children(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1);
}

function findById(root: Element, id: string): Element | undefined {
  if (root.getAttribute('Id') === id) return root;
  for (const child of children(root)) {
    const found = findById(child, id);
    if (found) return found;
  }
  return undefined;
}

/**
 * A copy of `element` declaring every namespace in scope where it stands: inclusive C14N of a
 * document subset renders the apex element with its ancestors' declarations, and a detached
 * canonicaliser would otherwise drop them (xmlsec1 keeps them; so must we to match the digest).
 */
function withInScopeNamespaces(element: Element): Element {
  const copy = element.cloneNode(true) as Element;
  const seen = new Set<string>();
  for (let n: Node | null = element; n && n.nodeType === 1; n = n.parentNode) {
    for (const attr of Array.from((n as Element).attributes)) {
      if (attr.name !== 'xmlns' && !attr.name.startsWith('xmlns:')) continue;
      if (seen.has(attr.name)) continue;
      seen.add(attr.name);
      if (!copy.hasAttribute(attr.name)) copy.setAttribute(attr.name, attr.value);
    }
  }
  return copy;
}

/**
 * What a ds:Reference contributes to an archive time-stamp (EN 319 132-1 clause 5.5.2.2): the
 * reference processed as XML-DSig does, and when that yields a node-set (no transform, or a last
 * transform that is not a canonicalisation: our SignedProperties reference) that node-set
 * canonicalised with the time-stamp's own method, not with XML-DSig's default inclusive C14N.
 * Covering the SignedProperties in inclusive form was the wrong imprint DSS refused.
 *
 * Two shapes are understood: the whole statement (URI "" with the enveloped-signature transform)
 * and a same-document fragment. The XML-DSig octets are checked against the signed DigestValue,
 * so a shape this code does not understand fails loudly instead of time-stamping the wrong bytes.
 */
function referenceOctets(signature: Element, reference: Element, stampC14n: string): Uint8Array {
  const uri = reference.getAttribute('URI') ?? '';
  const transforms = Array.from(reference.getElementsByTagNameNS(DSIG_NS, 'Transform')).map(
    (t) => t.getAttribute('Algorithm') ?? '',
  );
  const last = transforms[transforms.length - 1];
  const octetOutput = last === EXC_C14N || last === C14N;
  const digestC14n = last === EXC_C14N ? EXC_C14N : C14N;
  let node: Element;
  if (uri === '') {
    const doc = signature.ownerDocument;
    const xml = new XMLSerializer().serializeToString(doc);
    const copy = parseXmlDocument(xml);
    if (transforms.includes(ENVELOPED)) {
      const own = signature.getAttribute('Id');
      const enveloped = Array.from(copy.getElementsByTagNameNS(DSIG_NS, 'Signature')).find(
        (s) => s.getAttribute('Id') === own,
      );
      enveloped?.parentNode?.removeChild(enveloped);
    }
    node = copy.documentElement!;
  } else if (uri.startsWith('#')) {
    const target = findById(signature, uri.slice(1));
    if (!target) throw new Error(`reference ${uri} names no element of the signature`);
    node = target;
  } else {
    throw new Error(`reference ${uri} is not a same-document reference`);
  }
  const render = (c14n: string) =>
    canonical(c14n === EXC_C14N || uri === '' ? node : withInScopeNamespaces(node), c14n);
  const octets = render(digestC14n);
  const method =
    reference.getElementsByTagNameNS(DSIG_NS, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
  const hash = DIGEST_BY_URI[method];
  const expected = reference.getElementsByTagNameNS(DSIG_NS, 'DigestValue')[0]?.textContent?.trim() ?? '';
  if (!hash || b64(digest(hash, octets)) !== expected)
    throw new Error(`reference ${uri || '""'} does not match its signed digest`);
  return octetOutput || stampC14n === digestC14n ? octets : render(stampC14n);
}

function qualifyingParts(signature: Element) {
  const qualifying = signature.getElementsByTagNameNS(XADES_NS, 'QualifyingProperties')[0];
  const unsigned = qualifying?.getElementsByTagNameNS(XADES_NS, 'UnsignedSignatureProperties')[0];
  if (!qualifying || !unsigned) throw new Error('the XAdES has no UnsignedSignatureProperties');
  return { qualifying, unsigned };
}

function isWithin(node: Node, ancestor: Node): boolean {
  for (let n: Node | null = node; n; n = n.parentNode) if (n === ancestor) return true;
  return false;
}

/**
 * The input of a new archive time-stamp, canonicalised with `c14n` (the method the time-stamp
 * names): everything it covers, concatenated in the order of EN 319 132-1 clause 5.5.2.2.
 */
function newArchiveTimeStampInput(signature: Element, c14n: string): Uint8Array {
  const { qualifying, unsigned } = qualifyingParts(signature);
  const signedInfo = signature.getElementsByTagNameNS(DSIG_NS, 'SignedInfo')[0];
  const signatureValue = signature.getElementsByTagNameNS(DSIG_NS, 'SignatureValue')[0];
  if (!signedInfo || !signatureValue) throw new Error('the signature has no SignedInfo or SignatureValue');
  const parts: Uint8Array[] = [];
  for (const reference of children(signedInfo).filter((e) => e.localName === 'Reference'))
    parts.push(referenceOctets(signature, reference, c14n));
  parts.push(canonical(signedInfo, c14n), canonical(signatureValue, c14n));
  const keyInfo = children(signature).find((e) => e.localName === 'KeyInfo' && e.namespaceURI === DSIG_NS);
  if (keyInfo) parts.push(canonical(keyInfo, c14n));
  // All unsigned signature properties present: the new time-stamp goes after the last of them.
  for (const property of children(unsigned)) parts.push(canonical(property, c14n));
  for (const object of children(signature).filter(
    (e) => e.localName === 'Object' && e.namespaceURI === DSIG_NS,
  )) {
    if (isWithin(qualifying, object)) continue;
    parts.push(canonical(object, c14n));
  }
  return Buffer.concat(parts);
}

/** The ArchiveTimeStamp elements of a signature, oldest first. */
export function archiveTimeStamps(signature: Element): Element[] {
  return Array.from(signature.getElementsByTagNameNS(XADES141_NS, 'ArchiveTimeStamp'));
}

/** The newest time-stamp token in the signature: the last archive time-stamp, else the signature's. */
function newestToken(unsigned: Element): Uint8Array | undefined {
  const stamps = children(unsigned).filter((e) =>
    ['ArchiveTimeStamp', 'SignatureTimeStamp'].includes(e.localName),
  );
  const last = stamps[stamps.length - 1];
  const text = last?.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]?.textContent;
  return text ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
}

/**
 * Adds the validation data of the newest time-stamp and a new ArchiveTimeStamp to every
 * ds:Signature of a signer's XAdES; returns the new XML bytes.
 */
export async function addXadesArchiveTimeStamp(
  xml: Uint8Array,
  deps: { pki: Pki; timeStamper: TimeStamper; now?: Date },
): Promise<Uint8Array> {
  const doc = parseXmlDocument(xml);
  const signatures = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatures.length === 0) throw new Error('the XAdES holds no signature');
  for (const signature of signatures) {
    const { unsigned } = qualifyingParts(signature);
    const prefix = unsigned.prefix ? `${unsigned.prefix}:` : '';
    const xel = (name: string, text?: string) => {
      const e = doc.createElementNS(XADES_NS, `${prefix}${name}`);
      if (text !== undefined) e.appendChild(doc.createTextNode(text));
      return e;
    };
    const token = newestToken(unsigned);
    const certificates: x509.X509Certificate[] = token ? tokenCertificates(token) : [];
    if (certificates.length > 0) {
      const validation = doc.createElementNS(XADES141_NS, 'xades141:TimeStampValidationData');
      const certificateValues = xel('CertificateValues');
      for (const c of certificates)
        certificateValues.appendChild(xel('EncapsulatedX509Certificate', b64(new Uint8Array(c.rawData))));
      const crlValues = xel('CRLValues');
      for (const crl of await crlsFor(deps.pki, certificates, deps.now ?? new Date()))
        crlValues.appendChild(xel('EncapsulatedCRLValue', b64(crl)));
      const revocationValues = xel('RevocationValues');
      revocationValues.appendChild(crlValues);
      validation.appendChild(certificateValues);
      validation.appendChild(revocationValues);
      unsigned.appendChild(validation);
    }
    const input = newArchiveTimeStampInput(signature, EXC_C14N);
    const archiveToken = await deps.timeStamper.timestamp(digest('SHA-256', input));
    const stamp = doc.createElementNS(XADES141_NS, 'xades141:ArchiveTimeStamp');
    const id = signature.getAttribute('Id') ?? 'signature';
    stamp.setAttribute('Id', `${id}-archive-timestamp-${archiveTimeStamps(signature).length + 1}`);
    const c14n = doc.createElementNS(DSIG_NS, 'ds:CanonicalizationMethod');
    c14n.setAttribute('Algorithm', EXC_C14N);
    stamp.appendChild(c14n);
    stamp.appendChild(xel('EncapsulatedTimeStamp', b64(archiveToken)));
    unsigned.appendChild(stamp);
  }
  const out = new XMLSerializer().serializeToString(doc);
  return utf8(out.startsWith('<?xml') ? out : `<?xml version="1.0" encoding="UTF-8"?>\n${out}`);
}

/**
 * A copy of the document whose signature `index` lacks the XAdES 1.4.1 unsigned properties:
 * xadesjs reads ArchiveTimeStamp in its old 1.3.2 form and refuses the 1.4.1 one. They are
 * unsigned (outside every reference), so core validation of the copy is that of the original.
 */
export function withoutArchiveProperties(
  doc: Document,
  index: number,
): { doc: Document; signature: Element } {
  const copy = parseXmlDocument(new XMLSerializer().serializeToString(doc));
  const signature = copy.getElementsByTagNameNS(DSIG_NS, 'Signature')[index];
  if (!signature) throw new Error('the copy lost a signature');
  for (const e of Array.from(signature.getElementsByTagNameNS(XADES141_NS, '*'))) {
    // Only the outermost 1.4.1 elements: their descendants go with them.
    if (e.parentNode && (e.parentNode as Element).namespaceURI !== XADES141_NS) e.parentNode.removeChild(e);
  }
  return { doc: copy as unknown as Document, signature };
}

/** Whether a signer's XAdES already holds an archive time-stamp. */
export function hasArchiveTimeStamp(xml: Uint8Array): boolean {
  const doc = parseXmlDocument(xml);
  return doc.getElementsByTagNameNS(XADES141_NS, 'ArchiveTimeStamp').length > 0;
}
