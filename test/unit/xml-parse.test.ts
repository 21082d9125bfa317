/** The service's one XML parser (src/xml/parse.ts): what it takes, and each way it refuses. */
import { describe, expect, it } from 'vitest';
import { parseXmlDocument, XmlParseError } from '../../src/xml/parse.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The XmlParseError `run` throws (the test fails when it throws nothing or something else). */
function refusal(run: () => unknown): XmlParseError {
  try {
    run();
  } catch (err) {
    if (err instanceof XmlParseError) return err;
    throw err;
  }
  throw new Error('the document was accepted');
}

describe('parseXmlDocument', () => {
  it('parses a namespaced document from bytes or text', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><a:job xmlns:a="urn:x"><a:title>Avtale æøå</a:title></a:job>';
    for (const input of [xml, bytes(xml)]) {
      const root = parseXmlDocument(input).documentElement;
      expect(root.namespaceURI).toBe('urn:x');
      expect(root.localName).toBe('job');
      expect(root.getElementsByTagNameNS('urn:x', 'title')[0]?.textContent).toBe('Avtale æøå');
    }
  });

  it('refuses a malformed document instead of repairing it', () => {
    for (const xml of [
      '<a><b></a>',
      '<a>',
      '<a></b>',
      'text<a/>',
      '<a/><b/>',
      'not xml at all',
      '<a x="1" x="2"/>',
      '<a>&undefined;</a>',
      '',
    ]) {
      const err = refusal(() => parseXmlDocument(xml));
      expect(err.problem, JSON.stringify(xml)).toBe('MALFORMED');
      expect(err.message).toMatch(/^not well-formed XML: .+/);
    }
  });

  it('refuses a DTD: internal entities (billion laughs), external entities, or a bare DOCTYPE', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    const external = '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>';
    const bare = '<!doctype a SYSTEM "http://example.invalid/a.dtd"><a/>';
    for (const xml of [laughs, external, bare]) {
      expect(refusal(() => parseXmlDocument(xml)).problem).toBe('DTD');
      expect(refusal(() => parseXmlDocument(bytes(xml))).problem).toBe('DTD');
    }
  });

  it('refuses a document over the size limit before parsing it', () => {
    const xml = `<a>${'x'.repeat(1000)}</a>`;
    expect(parseXmlDocument(xml, { maxBytes: 1007 }).documentElement.localName).toBe('a');
    for (const input of [xml, bytes(xml)]) {
      const err = refusal(() => parseXmlDocument(input, { maxBytes: 1006 }));
      expect(err.problem).toBe('TOO_LARGE');
      expect(err.message).toContain('1006 bytes');
    }
    // The limit counts UTF-8 bytes, not characters: 500 × "æ" is 1,000 bytes.
    expect(refusal(() => parseXmlDocument(`<a>${'æ'.repeat(500)}</a>`, { maxBytes: 1000 })).problem).toBe(
      'TOO_LARGE',
    );
  });

  it('refuses bytes that are not UTF-8', () => {
    const latin1 = Uint8Array.from([...bytes('<a>'), 0xe6, ...bytes('</a>')]);
    expect(refusal(() => parseXmlDocument(latin1)).problem).toBe('NOT_UTF8');
  });
});
