// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addXadesArchiveTimeStamp,
  archiveTimeStampCoverage,
  archiveTimeStampsOf,
  verifyXades,
} from '../../src/signing/index.js';
import { DSIG_NS, XADES_NS } from '../../src/signing/xades.js';
import { PIDS, type SigningWorld, sha256Hex, signAll, signingWorld } from '../helpers/signing.js';
import { opensslTsVerify, requireTools, saveArtifact, scratchDir, xmlsecVerify } from './validators.js';

const documents = [
  {
    title: 'Kontrakt',
    fileName: 'kontrakt.pdf',
    mimeType: 'application/pdf',
    bytes: new TextEncoder().encode('%PDF-1.7 a'),
  },
];

const parse = (xml: Uint8Array) =>
  new DOMParser().parseFromString(new TextDecoder().decode(xml), 'application/xml') as unknown as Document;
const signatureOf = (xml: Uint8Array) => parse(xml).getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
const tokenOf = (stamp: Element) =>
  Buffer.from(stamp.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]!.textContent!, 'base64');

describe('XAdES B-LTA: archive time-stamps for long-term storage', () => {
  let world: SigningWorld;
  let dir: string;
  let sealed: Uint8Array;
  let advanced: Uint8Array;
  let archived: Uint8Array;
  let renewed: Uint8Array;

  beforeAll(async () => {
    requireTools();
    world = await signingWorld();
    dir = scratchDir('xades-archive');
    const signers = await signAll(world, 'job-lta', documents, [
      { name: 'Kari Nordmann', pid: PIDS.fnr },
      { name: 'Ola Nordmann', pid: PIDS.dnr, advanced: true },
    ]);
    sealed = signers[0]!.xades;
    advanced = signers[1]!.xades;
    archived = await addXadesArchiveTimeStamp(advanced, world);
    renewed = await addXadesArchiveTimeStamp(archived, world);
  }, 60_000);

  it.each([
    ['archived once', () => archived],
    ['renewed', () => renewed],
  ])('%s: still verifies in xmlsec1', (label, xml) => {
    const out = xmlsecVerify(dir, xml(), world.rootPem);
    if (!out.startsWith('OK')) saveArtifact(`xades-lta-${label.split(' ')[0]}.xml`, xml());
    expect(out).toMatch(/^OK$/m);
  });

  it('openssl accepts each archive time-stamp over the input computed for it', () => {
    const signature = signatureOf(renewed);
    const stamps = archiveTimeStampsOf(signature);
    expect(stamps).toHaveLength(2);
    for (const stamp of stamps) {
      const digestHex = sha256Hex(archiveTimeStampCoverage(signature, stamp));
      expect(opensslTsVerify(dir, tokenOf(stamp), { digestHex }, world.rootPem)).toContain(
        'Verification: OK',
      );
    }
    // The second one covers the first (and its validation data): the inputs differ.
    expect(sha256Hex(archiveTimeStampCoverage(signature, stamps[0]!))).not.toBe(
      sha256Hex(archiveTimeStampCoverage(signature, stamps[1]!)),
    );
  });

  it('records the validation data of the previous time-stamp before each archive time-stamp', () => {
    const unsigned = signatureOf(renewed).getElementsByTagNameNS(XADES_NS, 'UnsignedSignatureProperties')[0]!;
    const order = Array.from(unsigned.childNodes)
      .filter((n) => n.nodeType === 1)
      .map((n) => (n as Element).localName);
    expect(order).toEqual([
      'SignatureTimeStamp',
      'CertificateValues',
      'RevocationValues',
      'TimeStampValidationData',
      'ArchiveTimeStamp',
      'TimeStampValidationData',
      'ArchiveTimeStamp',
    ]);
  });

  it('is reported B-LTA by our verifier, with the number of archive time-stamps', async () => {
    for (const [xml, count] of [
      [archived, 1],
      [renewed, 2],
    ] as const) {
      const report = await verifyXades(xml, world.rootPem, { documents });
      const [sig] = report.signatures;
      expect(sig!.problems).toEqual([]);
      expect(sig).toMatchObject({ level: 'B-LTA', archiveTimeStamps: count, valid: true, trusted: true });
    }
    const before = await verifyXades(advanced, world.rootPem, { documents });
    expect(before.signatures[0]).toMatchObject({ level: 'B-LT', valid: true });
  });

  it('archives a service-sealed XAdES the same way', async () => {
    const xml = await addXadesArchiveTimeStamp(sealed, world);
    expect(xmlsecVerify(dir, xml, world.rootPem)).toMatch(/^OK$/m);
    const report = await verifyXades(xml, world.rootPem, { documents });
    expect(report.signatures[0]).toMatchObject({ level: 'B-LTA', valid: true, trusted: true });
  });

  it('a change to what an archive time-stamp covers fails it', async () => {
    // An unsigned property: the XML signature itself still holds, only the archive time-stamp breaks.
    const text = new TextDecoder().decode(renewed);
    const crl = /<xades:EncapsulatedCRLValue>([^<]+)</.exec(text)![1]!;
    const tampered = new TextEncoder().encode(
      text.replace(crl, Buffer.from(Buffer.from(crl, 'base64').reverse()).toString('base64')),
    );
    const report = await verifyXades(tampered, world.rootPem, { documents });
    const [sig] = report.signatures;
    expect(sig!.valid).toBe(false);
    expect(sig!.level).toBe('B-LT');
    expect(sig!.problems.join('\n')).toMatch(/archive time-stamp 1/);
    // A signed part: the statement's digest.
    const statement = text.replace('<JobId>job-lta</JobId>', '<JobId>job-ltb</JobId>');
    const forged = await verifyXades(new TextEncoder().encode(statement), world.rootPem, { documents });
    expect(forged.signatures[0]!.valid).toBe(false);
    expect(forged.signatures[0]!.level).not.toBe('B-LTA');
  });
});
