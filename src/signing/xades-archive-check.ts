/**
 * The verifier's reading of a xadesv141:ArchiveTimeStamp (ETSI EN 319 132-1 clause 5.5.2.2): the
 * octets its message imprint must cover, computed from the XAdES as found.
 *
 * Written apart from the code that makes archive time-stamps (xades-archive.ts), with its own
 * canonicaliser: a mistake in what the maker covers then shows as a refused imprint instead of
 * being repeated here, which is how a wrong imprint once passed our own tests. Both sides are
 * judged by EU DSS in test/dss.
 *
 * The input, in order, each part canonicalised with the time-stamp's own ds:CanonicalizationMethod
 * (inclusive C14N 1.0 when it names none):
 * 1. every ds:Reference of ds:SignedInfo, in order, processed as XML-DSig does (dereference, then
 *    its transforms); an octet-stream result as is, a node-set result canonicalised;
 * 2. ds:SignedInfo, ds:SignatureValue, ds:KeyInfo if present;
 * 3. the unsigned signature properties before the time-stamp, in document order (signature
 *    time-stamps, certificate and revocation values, earlier archive time-stamps and their
 *    xadesv141:TimeStampValidationData);
 * 4. every ds:Object of the signature but the one holding the xades:QualifyingProperties (the
 *    1.4.1 rule: referenced or not).
 */
import { DSIG_NS, XADES_NS } from './xades.js';

const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XADES141_NS = 'http://uri.etsi.org/01903/v1.4.1#';

/** Canonicalisations this check understands, by algorithm URI: exclusive or not (no comments). */
const METHODS: Record<string, { exclusive: boolean }> = {
  [C14N]: { exclusive: false },
  [EXC_C14N]: { exclusive: true },
};

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const PROCESSING_INSTRUCTION = 7;
const DOCUMENT = 9;

/** Thrown when the XAdES asks for something this check cannot compute: the stamp is not checked. */
export class ArchiveInputError extends Error {}

const elementChildren = (parent: Node): Element[] =>
  Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === ELEMENT);

const isDsig = (e: Element, localName: string) => e.namespaceURI === DSIG_NS && e.localName === localName;

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttribute(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

const isNamespaceDeclaration = (a: Attr) => a.name === 'xmlns' || a.name.startsWith('xmlns:');

/** The namespace bindings in scope at `el` (prefix '' for the default namespace), nearest first. */
function inScopeNamespaces(el: Element): Map<string, string> {
  const scope = new Map<string, string>();
  for (let n: Node | null = el; n && n.nodeType === ELEMENT; n = n.parentNode) {
    const e = n as Element;
    for (const a of Array.from(e.attributes)) {
      if (!isNamespaceDeclaration(a)) continue;
      const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
      if (!scope.has(prefix)) scope.set(prefix, a.value);
    }
    // A binding the parser saw but left no attribute for (elements made in memory).
    const own = e.prefix ?? '';
    if (!scope.has(own) && e.namespaceURI) scope.set(own, e.namespaceURI);
  }
  scope.delete('xml');
  return scope;
}

/**
 * Canonical XML 1.0 or Exclusive XML Canonicalization 1.0, without comments, of the node-set made
 * of `apex` (an element, or a whole document) and all below it but `omit` and its subtree.
 */
export function canonicalise(apex: Node, algorithm: string, omit?: Node): string {
  const method = METHODS[algorithm];
  if (!method) throw new ArchiveInputError(`canonicalisation ${algorithm} is not supported`);
  const out: string[] = [];

  const writeElement = (el: Element, rendered: Map<string, string>, isApex: boolean) => {
    const scope = inScopeNamespaces(el);
    const declared = new Map<string, string>();
    const wanted = (prefix: string) => {
      const uri = scope.get(prefix) ?? '';
      const current = rendered.get(prefix) ?? '';
      if (uri !== current) declared.set(prefix, uri);
    };
    if (method.exclusive) {
      // Only the namespaces this element visibly uses: its own and its attributes'.
      wanted(el.prefix ?? '');
      for (const a of Array.from(el.attributes))
        if (!isNamespaceDeclaration(a) && a.prefix && a.prefix !== 'xml') wanted(a.prefix);
    } else {
      for (const prefix of scope.keys()) wanted(prefix);
      // An undeclared default namespace under a rendered one is made explicit.
      if (!scope.has('')) wanted('');
    }
    const attributes = Array.from(el.attributes).filter((a) => !isNamespaceDeclaration(a));
    if (isApex && !method.exclusive) {
      // C14N 1.0 of a subset: xml:* attributes are inherited from the ancestors left out.
      for (let n = el.parentNode; n && n.nodeType === ELEMENT; n = n.parentNode) {
        for (const a of Array.from((n as Element).attributes)) {
          if (a.namespaceURI !== XML_NS) continue;
          if (!attributes.some((b) => b.namespaceURI === XML_NS && b.localName === a.localName))
            attributes.push(a);
        }
      }
    }
    // By namespace URI (none first), then local name.
    const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    attributes.sort(
      (a, b) =>
        compare(a.namespaceURI ?? '', b.namespaceURI ?? '') ||
        compare(a.localName ?? a.name, b.localName ?? b.name),
    );
    out.push(`<${el.tagName}`);
    for (const [prefix, uri] of [...declared.entries()].sort(([a], [b]) => compare(a, b)))
      out.push(prefix ? ` xmlns:${prefix}="${escapeAttribute(uri)}"` : ` xmlns="${escapeAttribute(uri)}"`);
    for (const a of attributes) out.push(` ${a.name}="${escapeAttribute(a.value)}"`);
    out.push('>');
    const inner = new Map([...rendered, ...declared]);
    for (const child of Array.from(el.childNodes)) writeNode(child, inner);
    out.push(`</${el.tagName}>`);
  };

  const writeNode = (node: Node, rendered: Map<string, string>) => {
    if (node === omit) return;
    if (node.nodeType === ELEMENT) writeElement(node as Element, rendered, false);
    else if (node.nodeType === TEXT || node.nodeType === CDATA) out.push(escapeText(node.nodeValue ?? ''));
    else if (node.nodeType === PROCESSING_INSTRUCTION) out.push(processingInstruction(node));
    // Comments are not in the node-set (the algorithms without comments).
  };

  if (apex.nodeType === DOCUMENT) {
    let seenRoot = false;
    for (const child of Array.from(apex.childNodes)) {
      if (child.nodeType === ELEMENT) {
        writeElement(child as Element, new Map(), true);
        seenRoot = true;
      } else if (
        child.nodeType === PROCESSING_INSTRUCTION &&
        (child as ProcessingInstruction).target !== 'xml'
      ) {
        out.push(seenRoot ? `\n${processingInstruction(child)}` : `${processingInstruction(child)}\n`);
      }
    }
  } else if (apex.nodeType === ELEMENT) {
    writeElement(apex as Element, new Map(), true);
  } else {
    throw new ArchiveInputError('only an element or a document can be canonicalised');
  }
  return out.join('');
}

function processingInstruction(node: Node): string {
  const pi = node as ProcessingInstruction;
  return pi.data ? `<?${pi.target} ${pi.data}?>` : `<?${pi.target}?>`;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function findById(root: Node, id: string): Element | undefined {
  for (const child of elementChildren(root)) {
    if (child.getAttribute('Id') === id || child.getAttribute('ID') === id || child.getAttribute('id') === id)
      return child;
    const found = findById(child, id);
    if (found) return found;
  }
  return undefined;
}

/** What one ds:Reference contributes: XML-DSig reference processing, then a node-set canonicalised. */
function referenceInput(signature: Element, reference: Element, algorithm: string): Uint8Array {
  const uri = reference.getAttribute('URI');
  const doc = signature.ownerDocument;
  let apex: Node;
  if (uri === '') apex = doc;
  else if (uri?.startsWith('#') && !uri.startsWith('#xpointer(')) {
    const target = findById(doc, uri.slice(1));
    if (!target) throw new ArchiveInputError(`reference ${uri} names no element of the document`);
    apex = target;
  } else {
    throw new ArchiveInputError(
      `reference ${uri ?? '(no URI)'} is not in the document: its data cannot be checked`,
    );
  }
  let omit: Node | undefined;
  const transforms = elementChildren(reference)
    .filter((e) => isDsig(e, 'Transforms'))
    .flatMap((t) => elementChildren(t).filter((e) => isDsig(e, 'Transform')));
  for (const [i, transform] of transforms.entries()) {
    const name = transform.getAttribute('Algorithm') ?? '';
    if (name === ENVELOPED) {
      omit = signature;
      continue;
    }
    if (METHODS[name] && i === transforms.length - 1) {
      if (elementChildren(transform).length > 0)
        throw new ArchiveInputError(`transform ${name} with parameters is not supported`);
      // A canonicalisation as the last transform: its octets are the reference's output.
      return utf8(canonicalise(apex, name, omit));
    }
    throw new ArchiveInputError(`transform ${name} is not supported here`);
  }
  // A node-set: canonicalised with the time-stamp's method, not XML-DSig's default.
  return utf8(canonicalise(apex, algorithm, omit));
}

/**
 * The octets the message imprint of `stamp`, a xadesv141:ArchiveTimeStamp of `signature`, must
 * be the digest of. Throws ArchiveInputError when the XAdES has a shape this check cannot follow.
 */
export function archiveTimeStampCoverage(signature: Element, stamp: Element): Uint8Array {
  const method = elementChildren(stamp).find((e) => isDsig(e, 'CanonicalizationMethod'));
  const algorithm = method ? (method.getAttribute('Algorithm') ?? '') : C14N;
  if (!METHODS[algorithm]) throw new ArchiveInputError(`canonicalisation ${algorithm} is not supported`);
  const part = (node: Node) => utf8(canonicalise(node, algorithm));

  const own = elementChildren(signature);
  const signedInfo = own.find((e) => isDsig(e, 'SignedInfo'));
  const signatureValue = own.find((e) => isDsig(e, 'SignatureValue'));
  if (!signedInfo || !signatureValue)
    throw new ArchiveInputError('the signature has no SignedInfo or SignatureValue');
  const parts: Uint8Array[] = [];
  for (const reference of elementChildren(signedInfo).filter((e) => isDsig(e, 'Reference')))
    parts.push(referenceInput(signature, reference, algorithm));
  parts.push(part(signedInfo), part(signatureValue));
  const keyInfo = own.find((e) => isDsig(e, 'KeyInfo'));
  if (keyInfo) parts.push(part(keyInfo));

  const properties = stamp.parentNode;
  if (
    !properties ||
    properties.nodeType !== ELEMENT ||
    (properties as Element).namespaceURI !== XADES_NS ||
    (properties as Element).localName !== 'UnsignedSignatureProperties'
  )
    throw new ArchiveInputError('the archive time-stamp is not an unsigned signature property');
  for (const property of elementChildren(properties)) {
    if (property === stamp) break;
    parts.push(part(property));
  }

  for (const object of own.filter((e) => isDsig(e, 'Object'))) {
    const holdsQualifying = elementChildren(object).some(
      (e) => e.namespaceURI === XADES_NS && e.localName === 'QualifyingProperties',
    );
    if (!holdsQualifying) parts.push(part(object));
  }
  return Buffer.concat(parts);
}

/** The xadesv141:ArchiveTimeStamp properties of a signature, in document order. */
export function archiveTimeStampsOf(signature: Element): Element[] {
  return Array.from(signature.getElementsByTagNameNS(XADES_NS, 'UnsignedSignatureProperties')).flatMap((p) =>
    elementChildren(p).filter((e) => e.namespaceURI === XADES141_NS && e.localName === 'ArchiveTimeStamp'),
  );
}
