// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTimeStampToken, verifyXades } from '../../src/signing/index.js';
import { canonicalSignatureValue, DSIG_NS, XADES_NS } from '../../src/signing/xades.js';
import { PIDS, type SigningWorld, signAll, signingWorld } from '../helpers/signing.js';
import { opensslTsVerify, requireTools, saveArtifact, scratchDir, xmlsecVerify } from './validators.js';

const documents = [
  {
    title: 'Kontrakt',
    fileName: 'kontrakt.pdf',
    mimeType: 'application/pdf',
    bytes: new TextEncoder().encode('%PDF-1.7 a'),
  },
  {
    title: 'Vedlegg',
    fileName: 'vedlegg.txt',
    mimeType: 'text/plain',
    bytes: new TextEncoder().encode('Vedlegg æøå'),
  },
];

const text = (xml: Uint8Array) => new TextDecoder().decode(xml);

describe('the per-signer XAdES', () => {
  let world: SigningWorld;
  let dir: string;
  let authenticated: Uint8Array;
  let advanced: Uint8Array;

  beforeAll(async () => {
    requireTools();
    world = await signingWorld();
    dir = scratchDir('xades');
    const signers = await signAll(world, 'job-7', documents, [
      { name: 'Kari Nordmann', pid: PIDS.fnr },
      { name: 'Ola Nordmann', pid: PIDS.dnr, advanced: true },
    ]);
    authenticated = signers[0]!.xades;
    advanced = signers[1]!.xades;
  });

  it.each([
    ['authenticated (sealed by the service)', () => authenticated],
    ['advanced (the signer’s own key)', () => advanced],
  ])('%s verifies in xmlsec1 against the root alone', (label, xml) => {
    const out = xmlsecVerify(dir, xml(), world.rootPem);
    if (!out.startsWith('OK')) saveArtifact(`xades-${label.split(' ')[0]}.xml`, xml());
    expect(out).toMatch(/^OK$/m);
    expect(out).toContain('SignedInfo References (ok/all): 2/2');
    expect(out).not.toContain('error');
  });

  it('signs the document digests and the authentication facts', () => {
    const xml = text(authenticated);
    const digest = createHash('sha256').update(documents[1]!.bytes).digest('base64');
    expect(xml).toContain(`<DigestValue>${digest}</DigestValue>`);
    expect(xml).toContain('<Level>4</Level>');
    expect(xml).toContain('<EidProvider>Test ID-porten</EidProvider>');
    expect(xml).toContain(`<PersonalIdentificationNumber>${PIDS.fnr}</PersonalIdentificationNumber>`);
    expect(xml).toContain('Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"');
  });

  it('is extended for long-term validation: signature time-stamp, certificates, CRLs', () => {
    const doc = new DOMParser().parseFromString(text(advanced), 'application/xml') as unknown as Document;
    const count = (name: string) => doc.getElementsByTagNameNS(XADES_NS, name).length;
    expect(count('SigningCertificateV2')).toBe(1);
    expect(count('SignatureTimeStamp')).toBe(1);
    // Signer, eID CA, root, TSA.
    expect(count('EncapsulatedX509Certificate')).toBe(4);
    // The root's CRL (eID CA, TSA) and the eID CA's CRL (the signer).
    expect(count('EncapsulatedCRLValue')).toBe(2);
    // Each CRL speaks for the moment the signature is proven to exist (its time-stamp) and is not
    // dated after it was embedded.
    const genTime = readTimeStampToken(
      Buffer.from(doc.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]!.textContent!, 'base64'),
    ).genTime;
    for (const el of Array.from(doc.getElementsByTagNameNS(XADES_NS, 'EncapsulatedCRLValue'))) {
      const crl = new x509.X509Crl(Buffer.from(el.textContent!, 'base64'));
      expect(crl.thisUpdate.toISOString()).toBe(genTime.toISOString());
      expect(crl.thisUpdate.getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it('has a signature time-stamp openssl accepts over the canonical SignatureValue', () => {
    const doc = new DOMParser().parseFromString(
      text(authenticated),
      'application/xml',
    ) as unknown as Document;
    const signature = doc.getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
    const token = Buffer.from(
      doc.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]!.textContent!,
      'base64',
    );
    const digestHex = createHash('sha256').update(canonicalSignatureValue(signature)).digest('hex');
    expect(opensslTsVerify(dir, token, { digestHex }, world.rootPem)).toContain('Verification: OK');
  });

  it('is reported valid, trusted and time-stamped by our verifier, with who and what', async () => {
    const report = await verifyXades(advanced, world.rootPem, { documents });
    expect(report.signatures[0]!.problems).toEqual([]);
    expect(report.valid).toBe(true);
    const [sig] = report.signatures;
    expect(sig).toMatchObject({
      kind: 'xades',
      signer: 'Ola Nordmann',
      certificateSubject: 'Ola Nordmann',
      valid: true,
      trusted: true,
      timeStamped: true,
    });
    expect(sig!.problems).toEqual([]);
    expect(sig!.documents?.map((d) => d.fileName)).toEqual(['kontrakt.pdf', 'vedlegg.txt']);
    const sealed = await verifyXades(authenticated, world.rootPem);
    expect(sealed.signatures[0]).toMatchObject({
      signer: 'Kari Nordmann',
      certificateSubject: 'Esign Service Seal',
      valid: true,
      trusted: true,
    });
  });

  it('is not trusted against another root', async () => {
    const other = await signingWorld();
    const report = await verifyXades(authenticated, other.rootPem);
    expect(report.valid).toBe(false);
    expect(report.signatures[0]!.trusted).toBe(false);
    expect(xmlsecVerify(dir, authenticated, other.rootPem)).not.toMatch(/^OK$/m);
  });

  it('detects one changed byte in a document digest, in xmlsec1 and in our verifier', async () => {
    const xml = text(advanced);
    const digest = createHash('sha256').update(documents[0]!.bytes).digest('base64');
    const at = xml.indexOf(digest);
    expect(at).toBeGreaterThan(0);
    const flipped = digest[5] === 'A' ? 'B' : 'A';
    const tampered = new TextEncoder().encode(xml.slice(0, at + 5) + flipped + xml.slice(at + 6));
    const out = xmlsecVerify(dir, tampered, world.rootPem);
    expect(out).not.toMatch(/^OK$/m);
    expect(out).toMatch(/^FAIL$/m);
    expect(out).toContain('data and digest do not match');
    const report = await verifyXades(tampered, world.rootPem);
    expect(report.valid).toBe(false);
    expect(report.signatures[0]!.problems.join(' ')).toContain('does not verify');
  });

  it('notices a document that is not the one signed', async () => {
    const report = await verifyXades(authenticated, world.rootPem, {
      documents: [{ fileName: 'kontrakt.pdf', bytes: new TextEncoder().encode('%PDF-1.7 b') }],
    });
    expect(report.valid).toBe(false);
    expect(report.signatures[0]!.problems).toContain(
      'document kontrakt.pdf differs from the one signed (SHA-256 mismatch)',
    );
  });
});
