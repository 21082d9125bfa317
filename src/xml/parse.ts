/**
 * The one way the service parses XML (XAdES it made or was sent, the XML API's requests): within a
 * size limit, strict UTF-8, no DTD (so no entity of any kind, internal or external, is ever
 * declared or expanded), and any well-formedness error a typed error instead of xmldom's
 * best-effort repair. Every `DOMParser` of the service goes through here.
 */
import { DOMParser } from '@xmldom/xmldom';

/** Far above any XAdES or XML API request the service makes or takes (a XAdES is tens of KB). */
export const MAX_XML_BYTES = 40 * 1024 * 1024;

export type XmlParseProblem = 'TOO_LARGE' | 'NOT_UTF8' | 'DTD' | 'MALFORMED';

/** Why a document was refused: `problem` for code, `detail` (the parser's message) for people. */
export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
  constructor(
    readonly problem: XmlParseProblem,
    readonly detail: string,
  ) {
    super(`${problem === 'MALFORMED' ? 'not well-formed XML: ' : ''}${detail}`);
  }
}

export interface XmlParseOptions {
  /** The largest document accepted, in bytes of UTF-8 (default MAX_XML_BYTES). */
  maxBytes?: number;
}

/**
 * Parses `input` (UTF-8 bytes, or text already decoded) into a document with a root element;
 * throws XmlParseError when it is too large, not UTF-8, has a DOCTYPE or is not well-formed.
 */
export function parseXmlDocument(input: Uint8Array | string, options: XmlParseOptions = {}): Document {
  const maxBytes = options.maxBytes ?? MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) throw new XmlParseError('TOO_LARGE', `the XML is larger than ${maxBytes} bytes`);
  const text = typeof input === 'string' ? input : utf8(input);
  // A DOCTYPE is refused unread rather than parsed with entities switched off: no signature
  // format or API document of ours has one, and no parser then meets an entity declaration.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new XmlParseError('DTD', 'the XML has a DOCTYPE or an entity declaration');
  }
  // Text beside the root element is not XML; xmldom drops it without a word.
  if (!/^\uFEFF?\s*</.test(text) || !/>\s*$/.test(text)) {
    throw new XmlParseError('MALFORMED', 'text outside the root element');
  }
  let problem: string | undefined;
  const record = (message: string) => {
    problem ??= message.trim();
  };
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      // xmldom reports an unclosed or mismatched element only as a warning, then closes it
      // itself; well-formed XML draws none, so a warning refuses the document like an error.
      errorHandler: { warning: record, error: record, fatalError: record },
    }).parseFromString(text, 'application/xml') as unknown as Document;
  } catch (err) {
    // xmldom stops at a fatal error by throwing; it has been recorded (or is the message).
    record((err as Error).message);
  }
  if (problem) throw new XmlParseError('MALFORMED', problem);
  if (!doc?.documentElement) throw new XmlParseError('MALFORMED', 'no root element');
  return doc;
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new XmlParseError('NOT_UTF8', 'the XML is not valid UTF-8');
  }
}
