/**
 * The imprint of every XAdES archive time-stamp, property-based: signers' XAdES over arbitrary
 * statements, archived once, twice and three times by the archive's own code, each stamp's
 * message imprint checked against the verifier's computation of what EN 319 132-1 says it covers
 * (xades-archive-check.ts, code apart from the maker's). One canonicalised byte changed in any
 * covered property makes the verifier refuse the XAdES. A XAdES archived before the fix is
 * repaired by the next renewal. EU DSS judges the same files in test/dss.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addXadesArchiveTimeStamp,
  archiveTimeStampCoverage,
  archiveTimeStampsOf,
  readTimeStampToken,
  verifyXades,
} from '../../src/signing/index.js';
import { DSIG_NS, XADES_NS } from '../../src/signing/xades.js';
import { PIDS, type SigningWorld, signAll, signingWorld } from '../helpers/signing.js';
import { addPreFixArchiveTimeStamp } from './pre-fix-archive.js';

const parse = (xml: Uint8Array) =>
  new DOMParser().parseFromString(new TextDecoder().decode(xml), 'application/xml') as unknown as Document;
const signatureOf = (doc: Document) => doc.getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
const sha256 = (bytes: Uint8Array) => Buffer.from(createHash('sha256').update(bytes).digest());
const tokenOf = (stamp: Element) =>
  new Uint8Array(
    Buffer.from(stamp.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]!.textContent!, 'base64'),
  );
const unsignedOrder = (doc: Document) =>
  Array.from(doc.getElementsByTagNameNS(XADES_NS, 'UnsignedSignatureProperties')[0]!.childNodes)
    .filter((n) => n.nodeType === 1)
    .map((n) => (n as Element).localName);

// Text a statement may carry: markup characters, Norwegian letters, accents, an emoji.
const text = fc
  .array(fc.constantFrom(...'aZ09 -_.,&<>"\'æøåÆØÅéü€😀'.split(/(?:)/u)), { minLength: 1, maxLength: 24 })
  .map((chars) => chars.join('').trim() || 'x');

const statement = fc.record({
  jobId: fc.uuid(),
  documents: fc.array(fc.record({ title: text, body: fc.string({ maxLength: 40 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
  signer: text,
  advanced: fc.boolean(),
  archives: fc.integer({ min: 1, max: 3 }),
});

type Statement = typeof statement extends fc.Arbitrary<infer T> ? T : never;

async function archivedXades(world: SigningWorld, s: Statement) {
  const documents = s.documents.map((d, i) => ({
    title: d.title,
    fileName: `document-${i}.pdf`,
    mimeType: 'application/pdf',
    bytes: new TextEncoder().encode(`%PDF-1.7 ${d.body}`),
  }));
  const [signer] = await signAll(world, s.jobId, documents, [
    { name: s.signer, pid: PIDS.fnr, advanced: s.advanced },
  ]);
  let xml = signer!.xades;
  for (let i = 0; i < s.archives; i++) xml = await addXadesArchiveTimeStamp(xml, world);
  return { xml, documents };
}

let world: SigningWorld;
beforeAll(async () => {
  world = await signingWorld();
}, 30_000);

describe('XAdES archive time-stamps: each imprint as EN 319 132-1 defines it', () => {
  it('one, two and three archive time-stamps: each imprint is the verifier’s own computation', async () => {
    const counts = new Set<number>();
    await fc.assert(
      fc.asyncProperty(statement, async (s) => {
        counts.add(s.archives);
        const { xml, documents } = await archivedXades(world, s);
        const doc = parse(xml);
        const signature = signatureOf(doc);
        const stamps = archiveTimeStampsOf(signature);
        expect(stamps).toHaveLength(s.archives);
        // Each stamp after the validation data of the time-stamp before it.
        expect(unsignedOrder(doc)).toEqual([
          'SignatureTimeStamp',
          'CertificateValues',
          'RevocationValues',
          ...stamps.flatMap(() => ['TimeStampValidationData', 'ArchiveTimeStamp']),
        ]);
        const imprints = stamps.map((stamp) => {
          const token = readTimeStampToken(tokenOf(stamp));
          expect(token.hashAlgorithm).toBe('SHA-256');
          const covered = sha256(archiveTimeStampCoverage(signature, stamp));
          expect(Buffer.from(token.messageImprint).toString('hex')).toBe(covered.toString('hex'));
          return covered.toString('hex');
        });
        // Each later stamp covers the ones before it: no two cover the same bytes.
        expect(new Set(imprints).size).toBe(imprints.length);
        const [report] = (await verifyXades(xml, world.rootPem, { documents })).signatures;
        expect(report!.problems).toEqual([]);
        expect(report).toMatchObject({
          level: 'B-LTA',
          archiveTimeStamps: s.archives,
          valid: true,
          trusted: true,
        });
      }),
      { numRuns: 9, seed: 24, endOnFailure: true },
    );
    expect([...counts].sort()).toEqual([1, 2, 3]);
  }, 120_000);

  it('one canonicalised byte changed in any covered property: the verifier refuses the XAdES', async () => {
    const { xml, documents } = await archivedXades(world, {
      jobId: 'job-tamper',
      documents: [{ title: 'Kontrakt', body: 'a' }],
      signer: 'Kari Nordmann',
      advanced: true,
      archives: 3,
    });
    const original = new TextDecoder().decode(xml);
    // The covered unsigned properties: from the first one to the newest archive time-stamp.
    const from = original.indexOf('<xades:SignatureTimeStamp');
    const to = original.lastIndexOf('<xades141:ArchiveTimeStamp');
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    // Every character of a text node or attribute value (not a namespace name) in that span.
    const positions: number[] = [];
    const span = original.slice(from, to);
    for (const m of span.matchAll(/>([^<]+)</g))
      for (let i = 0; i < m[1]!.length; i++) positions.push(from + m.index! + 1 + i);
    for (const m of span.matchAll(/\s([\w:]+)="([^"]*)"/g)) {
      if (m[1]!.startsWith('xmlns')) continue;
      const start = from + m.index! + m[0].length - 1 - m[2]!.length;
      for (let i = 0; i < m[2]!.length; i++) positions.push(start + i);
    }
    expect(positions.length).toBeGreaterThan(1000);
    const baseline = (await verifyXades(xml, world.rootPem, { documents })).signatures[0]!;
    expect(baseline).toMatchObject({ level: 'B-LTA', valid: true });

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...positions), async (at) => {
        const was = original[at]!;
        const tampered = original.slice(0, at) + (was === 'A' ? 'B' : 'A') + original.slice(at + 1);
        const [report] = (await verifyXades(tampered, world.rootPem, { documents })).signatures;
        expect(report!.valid).toBe(false);
        expect(report!.level).not.toBe('B-LTA');
        // The newest archive time-stamp covers every property before it, so it is the one broken.
        expect(report!.problems.join('\n')).toMatch(/archive time-stamp 3/);
      }),
      { numRuns: 12, seed: 24, endOnFailure: true },
    );
  }, 120_000);

  it('a XAdES archived before the fix: refused, then repaired by the next renewal', async () => {
    const [signer] = await signAll(
      world,
      'job-before-fix',
      [{ title: 'Skjøte', fileName: 'skjote.pdf', mimeType: 'application/pdf', bytes: new Uint8Array([1]) }],
      [{ name: 'Ola Nordmann', pid: PIDS.dnr, advanced: true }],
    );
    const old = await addPreFixArchiveTimeStamp(signer!.xades, world);
    const before = (await verifyXades(old, world.rootPem)).signatures[0]!;
    expect(before).toMatchObject({ level: 'B-LT', valid: false, archiveTimeStamps: 1 });
    expect(before.problems.join('\n')).toMatch(/archive time-stamp 1/);

    const repaired = await addXadesArchiveTimeStamp(old, world);
    const doc = parse(repaired);
    const signature = signatureOf(doc);
    const [oldStamp, newStamp] = archiveTimeStampsOf(signature);
    // The new stamp covers the old one and the validation data recorded for it.
    expect(unsignedOrder(doc).slice(3)).toEqual([
      'TimeStampValidationData',
      'ArchiveTimeStamp',
      'TimeStampValidationData',
      'ArchiveTimeStamp',
    ]);
    expect(readTimeStampToken(tokenOf(oldStamp!)).messageImprint).not.toEqual(
      new Uint8Array(sha256(archiveTimeStampCoverage(signature, oldStamp!))),
    );
    expect(Buffer.from(readTimeStampToken(tokenOf(newStamp!)).messageImprint)).toEqual(
      sha256(archiveTimeStampCoverage(signature, newStamp!)),
    );
    const after = (await verifyXades(repaired, world.rootPem)).signatures[0]!;
    expect(after).toMatchObject({ level: 'B-LTA', valid: true, trusted: true, archiveTimeStamps: 2 });
    expect(after.problems.join('\n')).toMatch(
      /archive time-stamp 1[^\n]*\n?[\s\S]*archive time-stamp 1 is covered by archive time-stamp 2, which holds/,
    );
  }, 60_000);
});
