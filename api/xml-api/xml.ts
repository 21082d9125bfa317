/**
 * XML of the national service's API: namespace-aware reading of request documents (never by
 * prefix: the official client's JAXB writes `ns4:` and a XAdES default namespace) and writing of
 * answers in `http://signering.posten.no/schema/v1`. The service's one XML parser reads them
 * (src/xml/parse.ts: size limit, strict UTF-8, no DOCTYPE, strict errors).
 */
import { parseXmlDocument, XmlParseError } from '../../src/xml/parse.js';

export const API_NS = 'http://signering.posten.no/schema/v1';

/** A problem with the XML of a request: becomes a 400 `<error>` naming the element. */
export class XmlInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'XmlInputError';
  }
}

/** Parses `bytes` (UTF-8) and checks the root element's name in the API namespace. */
export function parseApiXml(bytes: Uint8Array, what: string, rootName: string): Element {
  const root = parseXml(bytes, what);
  if (root.namespaceURI !== API_NS || root.localName !== rootName) {
    throw new XmlInputError(
      'INVALID_XML',
      `${what}: the root element must be {${API_NS}}${rootName}, not {${root.namespaceURI ?? ''}}${root.localName}`,
    );
  }
  return root;
}

export function parseXml(bytes: Uint8Array, what: string): Element {
  try {
    return parseXmlDocument(bytes).documentElement;
  } catch (err) {
    if (!(err instanceof XmlParseError)) throw err;
    const detail = err.problem === 'MALFORMED' ? `: ${err.detail}` : '';
    throw new XmlInputError('INVALID_XML', `${what} ${INPUT_PROBLEMS[err.problem]}${detail}`);
  }
}

/** What is wrong with a refused document, after its name (`manifest.xml must not have a DOCTYPE`). */
const INPUT_PROBLEMS: Record<XmlParseError['problem'], string> = {
  TOO_LARGE: 'is too large',
  NOT_UTF8: 'is not valid UTF-8',
  DTD: 'must not have a DOCTYPE',
  MALFORMED: 'is not well-formed XML',
};

/** Child elements of `parent` in the API namespace, by local name (all of them when name is omitted). */
export function children(parent: Element, name?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    if (el.namespaceURI === API_NS && (name === undefined || el.localName === name)) out.push(el);
  }
  return out;
}

/** The one child `name`, undefined when absent; two of them is an error naming the element. */
export function optionalChild(parent: Element, name: string, path: string): Element | undefined {
  const found = children(parent, name);
  if (found.length > 1) throw new XmlInputError('INVALID_XML', `${path}/${name} may occur only once`);
  return found[0];
}

export function requiredChild(parent: Element, name: string, path: string): Element {
  const el = optionalChild(parent, name, path);
  if (!el) throw new XmlInputError('INVALID_XML', `${path}/${name} is required`);
  return el;
}

export const textOf = (el: Element) => (el.textContent ?? '').trim();

export function optionalText(parent: Element, name: string, path: string): string | undefined {
  const el = optionalChild(parent, name, path);
  return el ? textOf(el) : undefined;
}

export function requiredText(parent: Element, name: string, path: string): string {
  return textOf(requiredChild(parent, name, path));
}

/* ---------------------------------------------------------------------------------------------
 * Writing answers.
 * ------------------------------------------------------------------------------------------- */

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/** An element: attributes (undefined ones left out) and children (text, nested elements, or nothing). */
export interface XmlNode {
  name: string;
  attrs?: Record<string, string | undefined>;
  children?: (XmlNode | undefined)[];
  text?: string;
}

export const node = (
  name: string,
  content?: string | (XmlNode | undefined)[],
  attrs?: Record<string, string | undefined>,
): XmlNode =>
  typeof content === 'string'
    ? { name, text: content, ...(attrs ? { attrs } : {}) }
    : { name, children: content ?? [], ...(attrs ? { attrs } : {}) };

function render(n: XmlNode): string {
  const attrs = Object.entries(n.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
  const inner =
    n.text !== undefined
      ? escapeText(n.text)
      : (n.children ?? [])
          .filter((c) => c)
          .map((c) => render(c!))
          .join('');
  return inner === '' ? `<${n.name}${attrs}/>` : `<${n.name}${attrs}>${inner}</${n.name}>`;
}

/** A whole answer document: the root carries the API namespace as the default namespace. */
export function xmlDocument(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${render({ ...root, attrs: { xmlns: API_NS, ...root.attrs } })}`;
}
