import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createSealedPades,
  DocumentUnprocessableError,
  verifyPdfSignatures,
} from '../../src/signing/index.js';
import type { PdfDict, PdfName, PdfStream } from '../../src/signing/pdf/objects.js';
import { PdfReader } from '../../src/signing/pdf/reader.js';
import { presentJob } from '../../src/signing/presentation.js';
import { pdfA2b, simplePdf } from '../fixtures/signing/pdfs.js';
import {
  jobInput,
  PIDS,
  pdfSignatures,
  type SigningWorld,
  sha256Hex,
  signAll,
  signatureTimeStamp,
  signingWorld,
} from '../helpers/signing.js';
import {
  keepOnFailure,
  nssDatabase,
  opensslCmsPrint,
  opensslCmsVerify,
  opensslTsVerify,
  pdfsig,
  pdfsigBlocks,
  pdftotext,
  qpdfCheck,
  requireTools,
  run,
  scratchDir,
  writeTemp,
  xmlsecVerify,
} from './validators.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const NORWEGIAN_TEXT =
  'Avtale om blåbærsyltetøy\nÆØÅ æøå — og litt mer tekst som må brytes over flere linjer. '.repeat(3);

describe('the sealed PAdES of a job', () => {
  let world: SigningWorld;
  let dir: string;
  let nss: string;
  let pdf: Uint8Array;
  let pdfPath: string;

  /** pdfsig says the seal is valid and trusted, and the last signature, the document time-stamp, covers all. */
  function expectPdfsigAccepts(path: string, bytes: Uint8Array, name: string) {
    return keepOnFailure(name, bytes, () => {
      const out = pdfsig(path, nss);
      const blocks = pdfsigBlocks(out);
      expect(blocks).toHaveLength(2);
      const [seal, stamp] = blocks as [string, string];
      expect(seal).toContain('Signer Certificate Common Name: Esign Service Seal');
      expect(seal).toContain('Signature Type: ETSI.CAdES.detached');
      expect(seal).toContain('Signature Validation: Signature is Valid.');
      expect(seal).toContain('Certificate Validation: Certificate is Trusted.');
      // poppler (22.12 in Debian bookworm, and upstream to date) lists ETSI.RFC3161 document
      // time-stamps but cannot validate them ("Unable to validate this type of signature");
      // openssl ts -verify checks them below. It must still see the stamp covering the whole file.
      expect(stamp).toContain('Signer Certificate Common Name: Esign Dev Time-Stamping Authority');
      expect(stamp).toContain('Total document signed');
      if (stamp.includes('Signature Validation: Signature is'))
        expect(stamp).toContain('Signature is Valid.');
      expect(qpdfCheck(path)).toContain('No syntax or stream encoding errors found');
    });
  }

  beforeAll(async () => {
    requireTools();
    world = await signingWorld();
    dir = scratchDir('pades');
    nss = nssDatabase(dir, world.rootPem);
    const documents = [
      {
        title: 'Leiekontrakt',
        fileName: 'leiekontrakt.pdf',
        mimeType: 'application/pdf',
        bytes: await simplePdf({ pages: 2 }),
      },
      {
        title: 'Husordensregler',
        fileName: 'regler.txt',
        mimeType: 'text/plain',
        bytes: utf8(NORWEGIAN_TEXT),
      },
    ];
    const signers = await signAll(world, 'job-0001', documents, [
      { name: 'Kari Nordmann', pid: PIDS.fnr },
      { name: 'Ola Nordmann', pid: PIDS.dnr, advanced: true },
      { name: 'Per Testesen', pid: PIDS.synthetic },
    ]);
    pdf = await createSealedPades(jobInput(world, documents, signers));
    pdfPath = writeTemp(dir, 'sealed.pdf', pdf);
  });

  it('is accepted by pdfsig (seal valid and trusted, time-stamp over the whole file) and qpdf', async () => {
    await expectPdfsigAccepts(pdfPath, pdf, 'sealed.pdf');
  });

  it('has a PAdES baseline seal: openssl verifies it over the ByteRange; no signingTime; signingCertificateV2; a signature time-stamp', async () => {
    const [seal] = pdfSignatures(pdf);
    expect(seal!.subFilter).toBe('ETSI.CAdES.detached');
    expect(opensslCmsVerify(dir, seal!.contents, seal!.signedBytes, world.rootPem)).toContain(
      'CMS Verification successful',
    );
    const printed = opensslCmsPrint(dir, seal!.contents);
    const signedAttrs = printed.slice(
      printed.indexOf('signedAttrs:'),
      printed.indexOf('signatureAlgorithm:', printed.indexOf('signedAttrs:')),
    );
    expect(signedAttrs).toContain('contentType');
    expect(signedAttrs).toContain('messageDigest');
    expect(signedAttrs).toContain('id-smime-aa-signingCertificateV2');
    expect(signedAttrs).not.toContain('signingTime');
    expect(printed.slice(printed.indexOf('unsignedAttrs:'))).toContain('id-smime-aa-timeStampToken');
    const { token, signatureValue } = signatureTimeStamp(seal!.contents);
    expect(opensslTsVerify(dir, token, { data: signatureValue }, world.rootPem)).toContain(
      'Verification: OK',
    );
  });

  it('ends with a document time-stamp openssl verifies over the whole file', () => {
    const stamps = pdfSignatures(pdf).filter((s) => s.subFilter === 'ETSI.RFC3161');
    expect(stamps).toHaveLength(1);
    const [stamp] = stamps;
    const [, , c = 0, d = 0] = stamp!.byteRange;
    expect(c + d).toBe(pdf.length);
    expect(opensslTsVerify(dir, stamp!.contents, { data: stamp!.signedBytes }, world.rootPem)).toContain(
      'Verification: OK',
    );
  });

  it('is PDF 1.7 with the seal, the DSS and the time-stamp each an incremental update', () => {
    const text = Buffer.from(pdf).toString('latin1');
    expect(text.startsWith('%PDF-1.7')).toBe(true);
    expect(text.match(/%%EOF/g)).toHaveLength(4);
    const reader = PdfReader.open(pdf);
    expect(reader.revisions).toHaveLength(4);
    const dss = reader.dict(reader.catalog.get('DSS'))!;
    const certs = reader.resolve(dss.get('Certs')) as unknown[];
    const crls = reader.resolve(dss.get('CRLs')) as unknown[];
    // Seal, root, TSA; and the root's CRL.
    expect(certs).toHaveLength(3);
    expect(crls).toHaveLength(1);
    const crlFile = writeTemp(dir, 'dss.crl', (reader.resolve(crls[0] as never) as PdfStream).data);
    const ca = writeTemp(dir, 'root.pem', world.rootPem);
    expect(run('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', ca, '-noout'])).toContain(
      'verify OK',
    );
  });

  it('carries every signer’s XAdES as an associated embedded file that xmlsec1 verifies', () => {
    const list = run('pdfdetach', ['-list', pdfPath]);
    expect(list).toContain('3 embedded files');
    const out = join(dir, 'attachments');
    run('mkdir', ['-p', out]);
    run('pdfdetach', ['-saveall', '-o', out, pdfPath]);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['signatur-1.xml', 'signatur-2.xml', 'signatur-3.xml']);
    for (const f of files) {
      const result = xmlsecVerify(dir, readFileSync(join(out, f)), world.rootPem);
      expect(result).toMatch(/^OK$/m);
    }
    const reader = PdfReader.open(pdf);
    const af = reader.resolve(reader.catalog.get('AF')) as unknown[];
    expect(af).toHaveLength(3);
    const spec = reader.dict(af[0] as never) as PdfDict;
    expect((spec.get('AFRelationship') as PdfName).name).toBe('Supplement');
  });

  it('is reported valid by our verifier: seal, document time-stamp and each XAdES', async () => {
    const report = await verifyPdfSignatures(pdf, world.rootPem);
    expect(report.signatures.flatMap((s) => s.problems)).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.signatures.map((s) => [s.kind, s.signer])).toEqual([
      ['seal', 'Esign Service Seal'],
      ['document-timestamp', 'Esign Dev Time-Stamping Authority'],
      ['xades', 'Kari Nordmann'],
      ['xades', 'Ola Nordmann'],
      ['xades', 'Per Testesen'],
    ]);
    expect(report.signatures[0]).toMatchObject({
      timeStamped: true,
      trusted: true,
      coversWholeDocument: false,
    });
    expect(report.signatures[1]).toMatchObject({ valid: true, trusted: true, coversWholeDocument: true });
  });

  it('shows the documents on A4, the text with Norwegian letters in an embedded font, and a signature page', () => {
    const info = run('pdfinfo', ['-f', '1', '-l', '99', pdfPath]);
    const sizes = [...info.matchAll(/Page\s+\d+ size:\s+([\d.]+ x [\d.]+)/g)].map((m) => m[1]);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sizes)).toEqual(new Set(['595.28 x 841.89']));
    const all = pdftotext(pdfPath);
    expect(all).toContain('Avtale om blåbærsyltetøy');
    expect(all).toContain('ÆØÅ æøå');
    const fonts = run('pdffonts', [pdfPath]);
    // Embedded, subset, with a ToUnicode map (so text can be searched and copied).
    expect(fonts).toMatch(/ESIGNR\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    expect(fonts).toMatch(/ESIGNB\+DejaVuSans-Bold\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    expect(all).toContain('Signaturer');
    expect(all).toContain('Ola Nordmann');
    expect(all).toContain(`Fødselsnummer: ${PIDS.dnr}`);
    expect(all).toContain('Avansert elektronisk signatur');
    expect(all).toContain('Autentisert signatur');
    expect(all).toContain('Sikkerhetsnivå: 4');
    expect(all).toContain('Revisjonsspor');
    expect(all).toContain('Oppdraget ble opprettet');
  });

  it.each([
    ['DATE_OF_BIRTH_AND_NAME', ['Fødselsdato: 01.01.1970'], [PIDS.fnr, PIDS.dnr]],
    ['NAME', ['Kari Nordmann'], ['Fødselsdato', 'Fødselsnummer', PIDS.fnr]],
  ] as const)('identifies signers by %s on the signature page', async (mode, present, absent) => {
    const documents = [{ title: 'Avtale', fileName: 'a.txt', mimeType: 'text/plain', bytes: utf8('Avtale') }];
    const signers = await signAll(world, 'job-0001', documents, [
      { name: 'Kari Nordmann', pid: PIDS.fnr },
      { name: 'Ola Nordmann', pid: PIDS.dnr },
    ]);
    const out = await createSealedPades(jobInput(world, documents, signers, mode));
    const text = pdftotext(writeTemp(dir, `mode-${mode}.pdf`, out));
    for (const p of present) expect(text).toContain(p);
    for (const a of absent) expect(text).not.toContain(a);
  });

  it("writes the signature page in the job's language (English), still sealed validly", async () => {
    const documents = [{ title: 'Lease', fileName: 'a.txt', mimeType: 'text/plain', bytes: utf8('Lease') }];
    const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
    const input = jobInput(world, documents, signers);
    const out = await createSealedPades({ ...input, job: { ...input.job, language: 'en' } });
    const path = writeTemp(dir, 'english.pdf', out);
    const text = pdftotext(path);
    for (const p of [
      'Signatures',
      'Signed by (1)',
      `National identity number: ${PIDS.fnr}`,
      'Security level: 4 (high)',
      'Audit trail',
      'Norwegian time',
    ])
      expect(text).toContain(p);
    for (const p of ['Signaturer', 'Sikkerhetsnivå', 'Revisjonsspor', 'norsk tid'])
      expect(text).not.toContain(p);
    expect(run('qpdf', ['--check', path])).toContain('No syntax or stream encoding errors');
  });

  describe('tampering', () => {
    it('detects one changed byte inside the signed range (pdfsig, openssl, our verifier)', async () => {
      const text = Buffer.from(pdf).toString('latin1');
      const at = text.indexOf('/Title <FEFF004C');
      expect(at).toBeGreaterThan(0);
      const [seal] = pdfSignatures(pdf);
      expect(at).toBeLessThan(seal!.byteRange[1]!);
      const tampered = pdf.slice();
      tampered[at + '/Title <FEFF004'.length] = 'D'.charCodeAt(0);
      const path = writeTemp(dir, 'tampered-content.pdf', tampered);
      await keepOnFailure('tampered-content.pdf', tampered, async () => {
        const blocks = pdfsigBlocks(pdfsig(path, nss));
        expect(blocks[0]).toContain('Signature Validation: Digest Mismatch.');
        const [changedSeal] = pdfSignatures(tampered);
        expect(
          opensslCmsVerify(dir, changedSeal!.contents, changedSeal!.signedBytes, world.rootPem),
        ).toContain('Verification failure');
        const report = await verifyPdfSignatures(tampered, world.rootPem);
        expect(report.valid).toBe(false);
        expect(report.signatures[0]).toMatchObject({ kind: 'seal', valid: false });
        expect(report.signatures[0]!.problems).toContain('digest mismatch: the signed content was changed');
        expect(report.signatures[1]).toMatchObject({ kind: 'document-timestamp', valid: false });
      });
    });

    it('detects one changed byte in a signed attribute of the seal', async () => {
      const [seal] = pdfSignatures(pdf);
      const certHash = createHash('sha256')
        .update(new Uint8Array(world.pki.seal.certificate.rawData))
        .digest();
      const inDer = Buffer.from(seal!.contents).indexOf(certHash);
      expect(inDer).toBeGreaterThan(0);
      const tampered = pdf.slice();
      const hexAt = seal!.contentsOffset + 2 * (inDer + 3);
      tampered[hexAt] = tampered[hexAt] === 0x30 ? 0x31 : 0x30;
      const path = writeTemp(dir, 'tampered-attribute.pdf', tampered);
      await keepOnFailure('tampered-attribute.pdf', tampered, async () => {
        const blocks = pdfsigBlocks(pdfsig(path, nss));
        expect(blocks[0]).toContain('Signature Validation: Signature is Invalid.');
        const [changedSeal] = pdfSignatures(tampered);
        expect(
          opensslCmsVerify(dir, changedSeal!.contents, changedSeal!.signedBytes, world.rootPem),
        ).toContain('Verification failure');
        const report = await verifyPdfSignatures(tampered, world.rootPem);
        expect(report.signatures[0]).toMatchObject({ kind: 'seal', valid: false });
        expect(report.signatures[0]!.problems.join('\n')).toContain('does not verify');
      });
    });
  });

  describe('inputs', () => {
    it('turns a PDF 1.3 into a PDF 1.7 that validates', async () => {
      const input = await simplePdf({ version: '1.3', text: 'Gammel PDF 1.3' });
      expect(Buffer.from(input.subarray(0, 8)).toString()).toBe('%PDF-1.3');
      const documents = [
        { title: 'Gammel', fileName: 'gammel.pdf', mimeType: 'application/pdf', bytes: input },
      ];
      const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
      const out = await createSealedPades(jobInput(world, documents, signers));
      expect(Buffer.from(out.subarray(0, 8)).toString()).toBe('%PDF-1.7');
      const path = writeTemp(dir, 'from-1.3.pdf', out);
      await expectPdfsigAccepts(path, out, 'from-1.3.pdf');
      expect(pdftotext(path)).toContain('Gammel PDF 1.3');
    });

    it('turns a PDF/A-2b into a PDF/A-3b: XMP part 3 B, sRGB output intent, associated files, embedded fonts', async () => {
      const documents = [
        { title: 'Arkiv', fileName: 'arkiv.pdf', mimeType: 'application/pdf', bytes: await pdfA2b() },
      ];
      const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
      const out = await createSealedPades(jobInput(world, documents, signers));
      const path = writeTemp(dir, 'pdfa3.pdf', out);
      await expectPdfsigAccepts(path, out, 'pdfa3.pdf');
      await keepOnFailure('pdfa3.pdf', out, () => {
        const xmp = run('pdfinfo', ['-meta', path]);
        expect(xmp).toContain('<pdfaid:part>3</pdfaid:part>');
        expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
        const reader = PdfReader.open(out);
        const intents = reader.resolve(reader.catalog.get('OutputIntents')) as unknown[];
        const intent = reader.dict(intents[0] as never)!;
        expect((intent.get('S') as PdfName).name).toBe('GTS_PDFA1');
        const profile = reader.resolve(intent.get('DestOutputProfile')) as PdfStream;
        expect(profile.dict.get('N')).toBe(3);
        expect(reader.trailer.get('ID')).toBeDefined();
        const fonts = run('pdffonts', [path]).split('\n').slice(2).filter(Boolean);
        expect(fonts.length).toBeGreaterThan(0);
        for (const line of fonts) expect(line).toMatch(/\s+yes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$/);
        expect(fonts.every((l) => / yes /.test(l.slice(50)))).toBe(true);
        expect(pdftotext(path)).toContain('Arkivdokument (PDF/A-2b): blåbær');
      });
    });

    it.each([
      ['no-output-intent', 'arkiv.pdf claims PDF/A but it has no PDF/A output intent (GTS_PDFA1)'],
      ['font-not-embedded', 'arkiv.pdf claims PDF/A but fonts not embedded: Helvetica'],
    ] as const)(
      'packages an input that only claims PDF/A (%s) as plain PDF 1.7, saying why',
      async (broken, why) => {
        const bytes = await pdfA2b(broken);
        const documents = [{ title: 'Arkiv', fileName: 'arkiv.pdf', mimeType: 'application/pdf', bytes }];
        const presentation = await presentJob({
          job: jobInput(world, documents, []).job,
          documents,
          signers: [],
          sealedBy: 'Esign Service Seal',
          createdAt: new Date(),
        });
        expect(presentation.pdfA).toBe(false);
        expect(presentation.pdfAProblems).toEqual([why]);
        const path = writeTemp(dir, `claims-pdfa-${broken}.pdf`, presentation.bytes);
        expect(Buffer.from(presentation.bytes.subarray(0, 8)).toString()).toBe('%PDF-1.7');
        const meta = run('pdfinfo', ['-meta', path]);
        expect(meta).not.toContain('pdfaid');
        const reader = PdfReader.open(presentation.bytes);
        expect(reader.catalog.get('OutputIntents')).toBeUndefined();
      },
    );

    it('does not claim PDF/A for an ordinary PDF', () => {
      expect(run('pdfinfo', ['-meta', pdfPath])).not.toContain('pdfaid');
    });

    it('fits landscape and rotated pages on A4 portrait without cropping', async () => {
      const landscape = await simplePdf({ size: [842, 595], text: 'Liggende side' });
      const documents = [
        { title: 'Liggende', fileName: 'liggende.pdf', mimeType: 'application/pdf', bytes: landscape },
      ];
      const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
      const out = await createSealedPades(jobInput(world, documents, signers));
      const path = writeTemp(dir, 'landscape.pdf', out);
      const bbox = run('pdftotext', ['-f', '1', '-l', '1', '-bbox', path, '-']);
      for (const word of ['LEFT-BOTTOM', 'RIGHT-TOP', 'Liggende']) {
        const m = bbox.match(
          new RegExp(`xMin="([\\d.]+)" yMin="([\\d.]+)" xMax="([\\d.]+)" yMax="([\\d.]+)">${word}<`),
        );
        expect(m, word).not.toBeNull();
        const [, x0, y0, x1, y1] = m!.map(Number);
        expect(x0).toBeGreaterThanOrEqual(0);
        expect(y0).toBeGreaterThanOrEqual(0);
        expect(x1).toBeLessThanOrEqual(595.28);
        expect(y1).toBeLessThanOrEqual(841.89);
      }
    });

    it('refuses an encrypted PDF with a non-retryable DocumentUnprocessableError', async () => {
      const plain = writeTemp(dir, 'plain.pdf', await simplePdf());
      const encrypted = join(dir, 'encrypted.pdf');
      run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', plain, encrypted]);
      const documents = [
        { title: 'Låst', fileName: 'laast.pdf', mimeType: 'application/pdf', bytes: readFileSync(encrypted) },
      ];
      const error = await createSealedPades(jobInput(world, documents, [])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DocumentUnprocessableError);
      expect((error as DocumentUnprocessableError).message).toContain('encrypted');
      expect((error as DocumentUnprocessableError).nonRetryable).toBe(true);
    });

    it.each([
      ['garbage', utf8('this is not a PDF at all')],
      ['a truncated PDF', utf8('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R')],
      [
        'a PDF without pages',
        utf8(
          '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
        ),
      ],
    ])('refuses %s with a DocumentUnprocessableError, promptly', async (_label, bytes) => {
      const documents = [{ title: 'Ødelagt', fileName: 'odelagt.pdf', mimeType: 'application/pdf', bytes }];
      const started = Date.now();
      const error = await createSealedPades(jobInput(world, documents, [])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DocumentUnprocessableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  it('has a stable document ID derived from the job', async () => {
    const ids = pdfSignatures(pdf).length;
    expect(ids).toBe(2);
    const first = (PdfReader.open(pdf).trailer.get('ID') as { bytes: Uint8Array }[])[0]!;
    expect(Buffer.from(first.bytes).toString('hex')).toBe(sha256Hex(utf8('esign-job:job-0001')).slice(0, 32));
  });
});
