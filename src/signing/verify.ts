/**
 * Verification reports for `POST /api/verify`: every signature in a PDF (CMS signatures, document
 * time-stamps and the XAdES attached to it) or in a XAdES file, who made it, when, whether it is
 * intact (`valid`), whether it chains to our trust anchors (`trusted`), and why not.
 *
 * Built on the same pieces that make the signatures (the PDF reader, CMS, the XAdES canonical
 * forms), but checking from the outside: nothing here trusts what the signer claims.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as xadesjs from 'xadesjs';
import { parseXmlDocument, XmlParseError } from '../xml/parse.js';
import { commonName, toAnchors, validateChain } from './chain.js';
import { digest, type HashName, OID } from './cms.js';
import { verifySignedData, verifyTimeStampToken } from './cms-verify.js';
import { bufferOf } from './der.js';
import { crypto } from './engines.js';
import { decodeTextString, PdfName, PdfStream, PdfString } from './pdf/objects.js';
import { decodeStream, PdfReader } from './pdf/reader.js';
import { trimDer } from './pdf/signatures.js';
import { canonicalSignatureValue, DSIG_NS, SIGNED_DOCUMENTS_NS, XADES_NS } from './xades.js';
import { withoutArchiveProperties } from './xades-archive.js';
import { ArchiveInputError, archiveTimeStampCoverage, archiveTimeStampsOf } from './xades-archive-check.js';

export type SignatureKind = 'seal' | 'signature' | 'document-timestamp' | 'xades';

export interface SignatureReport {
  kind: SignatureKind;
  /** PDF field name, or the attachment's file name for an attached XAdES. */
  name?: string;
  /**
   * Who signed: the certificate's common name; for a statement sealed by the service (an
   * authenticated signature) the person the service vouches for.
   */
  signer: string;
  /** XAdES: the person the signed statement names, shown beside the certificate's name. */
  claimedSigner?: string;
  /** Common name of the signing certificate (the service seal for authenticated signatures). */
  certificateSubject?: string;
  /** ISO time: the time-stamp's when there is one, else the claimed signing time. */
  signedAt?: string;
  timeStamped: boolean;
  /** Intact: digests and signatures check out. */
  valid: boolean;
  /**
   * Chains to a trust anchor by RFC 5280 path validation (CA flags, path lengths, key usages,
   * critical extensions, revocation), with certificates valid at the time-stamp's time.
   */
  trusted: boolean;
  /**
   * XAdES baseline level reached: B-B (no time-stamp), B-T, B-LT (with validation data), or B-LTA
   * (valid archive time-stamps over all of it, as the long-term archive adds).
   */
  level?: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
  /** How many archive time-stamps a XAdES holds (each one checked). */
  archiveTimeStamps?: number;
  /** PDF signatures: the signed byte ranges reach the end of the file. */
  coversWholeDocument?: boolean;
  subFilter?: string;
  /** XAdES: the documents the signer signed, by name and SHA-256. */
  documents?: { title?: string; fileName: string; sha256: string }[];
  problems: string[];
}

export interface VerificationReport {
  signatures: SignatureReport[];
  /** At least one signature, and every one valid and trusted. */
  valid: boolean;
  problems: string[];
}

type Anchors = string | x509.X509Certificate[];

function report(signatures: SignatureReport[], problems: string[] = []): VerificationReport {
  return {
    signatures,
    valid: signatures.length > 0 && problems.length === 0 && signatures.every((s) => s.valid && s.trusted),
    problems,
  };
}

const isPersonCertificate = (c: x509.X509Certificate) =>
  c.subjectName.getField('2.5.4.5').some((v) => v.startsWith('UN:NO-'));

// ---------------------------------------------------------------- PDF

interface PdfSignatureField {
  name: string;
  sig: Map<string, unknown>;
  contents?: Uint8Array;
  byteRange?: number[];
  subFilter?: string;
  claimedTime?: string;
}

function signatureFields(reader: PdfReader): PdfSignatureField[] {
  const acroForm = reader.dict(reader.catalog.get('AcroForm'));
  const fields = reader.resolve(acroForm?.get('Fields'));
  const out: PdfSignatureField[] = [];
  const visit = (ref: unknown, parentName: string, depth: number) => {
    const field = reader.dict(ref as never);
    if (!field || depth > 16) return;
    const t = field.get('T');
    const name = [parentName, t instanceof PdfString ? decodeTextString(t.bytes) : '']
      .filter(Boolean)
      .join('.');
    const v = reader.dict(field.get('V'));
    if (v && (field.get('FT') as PdfName | undefined)?.name === 'Sig') {
      const contents = v.get('Contents');
      const br = reader.resolve(v.get('ByteRange'));
      const sub = v.get('SubFilter');
      const m = v.get('M');
      out.push({
        name,
        sig: v.entries,
        contents: contents instanceof PdfString ? trimDer(contents.bytes) : undefined,
        byteRange: Array.isArray(br) ? br.map(Number) : undefined,
        subFilter: sub instanceof PdfName ? sub.name : undefined,
        claimedTime: m instanceof PdfString ? decodeTextString(m.bytes) : undefined,
      });
    }
    const kids = reader.resolve(field.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) visit(k, name, depth + 1);
  };
  if (Array.isArray(fields)) for (const f of fields) visit(f, '', 0);
  return out;
}

/** "D:20240101120000Z" / "D:20240101120000+01'00'" as ISO, when it parses. */
function pdfDateToIso(text: string | undefined): string | undefined {
  const m = text?.match(/^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?/);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz = 'Z'] = m;
  const zone = /^[Zz]$/.test(tz) ? 'Z' : `${tz.slice(0, 3)}:${tz.replace(/'/g, '').slice(3, 5)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const MAX_DSS_ENTRIES = 64;
const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** The whole length (header + content) a DER SEQUENCE says it has; -1 when it is not one. */
function derLength(der: Uint8Array): number {
  if (der.byteLength < 2 || der[0] !== 0x30) return -1;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.byteLength < 2 + count) return -1;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
  return 2 + count + length;
}

function dssMaterial(reader: PdfReader): { certs: x509.X509Certificate[]; crls: Uint8Array[] } {
  const dss = reader.dict(reader.catalog.get('DSS'));
  const streams = (key: string) => {
    const list = reader.resolve(dss?.get(key));
    return (Array.isArray(list) ? list : []).flatMap((r) => {
      const s = reader.resolve(r);
      try {
        return s instanceof PdfStream ? [decodeStream(s)] : [];
      } catch {
        return [];
      }
    });
  };
  // Outside input: at most MAX_DSS_ENTRIES of each, and a certificate is parsed only when it is of
  // a certificate's size and its outer DER length covers exactly the bytes, so junk streams cost
  // no ASN.1 parsing.
  const certs = streams('Certs')
    .slice(0, MAX_DSS_ENTRIES)
    .flatMap((der) => {
      if (der.byteLength > MAX_CERTIFICATE_BYTES || derLength(der) !== der.byteLength) return [];
      try {
        return [new x509.X509Certificate(bufferOf(der))];
      } catch {
        return [];
      }
    });
  return { certs, crls: streams('CRLs').slice(0, MAX_DSS_ENTRIES) };
}

/** Attached files (EmbeddedFiles name tree): name and decoded bytes. */
export function pdfAttachments(reader: PdfReader): { name: string; bytes: Uint8Array }[] {
  const names = reader.dict(reader.catalog.get('Names'));
  const tree = reader.dict(names?.get('EmbeddedFiles'));
  const out: { name: string; bytes: Uint8Array }[] = [];
  const visit = (node: ReturnType<PdfReader['dict']>, depth: number) => {
    if (!node || depth > 16) return;
    const pairs = reader.resolve(node.get('Names'));
    if (Array.isArray(pairs)) {
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        const key = pairs[i];
        const spec = reader.dict(pairs[i + 1]);
        const ef = reader.dict(spec?.get('EF'));
        const stream = reader.resolve(ef?.get('F'));
        if (key instanceof PdfString && stream instanceof PdfStream) {
          try {
            out.push({ name: decodeTextString(key.bytes), bytes: decodeStream(stream) });
          } catch {
            // An attachment we cannot decode is not ours to report on.
          }
        }
      }
    }
    const kids = reader.resolve(node.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) visit(reader.dict(k), depth + 1);
  };
  visit(tree, 0);
  return out;
}

/** The signature time-stamp token inside a CMS signature's unsigned attributes, if any. */
function signatureTimeStampOf(
  unsigned: { attrType: string; attrValues: ArrayBuffer[] }[],
): Uint8Array | undefined {
  const v = unsigned.find((a) => a.attrType === OID.signatureTimeStampToken)?.attrValues[0];
  return v ? new Uint8Array(v) : undefined;
}

export async function verifyPdfSignatures(
  bytes: Uint8Array,
  trustAnchors: Anchors,
  options: { includeAttachments?: boolean } = {},
): Promise<VerificationReport> {
  const anchors = toAnchors(trustAnchors);
  let reader: PdfReader;
  let fields: PdfSignatureField[];
  try {
    reader = PdfReader.open(bytes);
    fields = signatureFields(reader);
  } catch (e) {
    return report([], [`not a readable PDF: ${String(e)}`]);
  }
  const { certs: pool, crls } = dssMaterial(reader);
  const signatures: SignatureReport[] = [];
  for (const field of fields) signatures.push(await verifyPdfField(bytes, field, { anchors, pool, crls }));
  if (options.includeAttachments !== false) {
    for (const file of pdfAttachments(reader)) {
      if (!/\.xml$/i.test(file.name)) continue;
      const xades = await verifyXades(file.bytes, anchors);
      for (const s of xades.signatures) signatures.push({ ...s, name: file.name });
    }
  }
  return report(signatures, fields.length === 0 ? ['the PDF has no signatures'] : []);
}

async function verifyPdfField(
  bytes: Uint8Array,
  field: PdfSignatureField,
  ctx: { anchors: x509.X509Certificate[]; pool: x509.X509Certificate[]; crls: Uint8Array[] },
): Promise<SignatureReport> {
  const problems: string[] = [];
  const base = { name: field.name, subFilter: field.subFilter, timeStamped: false };
  const br = field.byteRange;
  if (!field.contents || !br || br.length !== 4) {
    return {
      ...base,
      kind: 'signature',
      signer: '',
      valid: false,
      trusted: false,
      problems: ['no /Contents or /ByteRange'],
    };
  }
  const [a = 0, b = 0, c = 0, d = 0] = br;
  const sane =
    a === 0 &&
    b > 0 &&
    c > b &&
    c + d <= bytes.length &&
    bytes[b] === 0x3c /* < */ &&
    bytes[c - 1] === 0x3e; /* > */
  if (!sane) problems.push('the ByteRange does not frame the /Contents value exactly');
  const coversWholeDocument = c + d === bytes.length;
  const signedBytes = (hash: HashName) => digest(hash, bytes.subarray(a, a + b), bytes.subarray(c, c + d));

  if (field.subFilter === 'ETSI.RFC3161') {
    const ts = await verifyTimeStampToken(field.contents, signedBytes, ctx);
    return {
      ...base,
      kind: 'document-timestamp',
      signer: ts.authority ?? '',
      certificateSubject: ts.authority,
      signedAt: ts.genTime?.toISOString(),
      timeStamped: true,
      valid: sane && ts.valid,
      trusted: ts.trusted,
      coversWholeDocument,
      problems: [...problems, ...ts.problems],
    };
  }
  if (field.subFilter !== 'ETSI.CAdES.detached' && field.subFilter !== 'adbe.pkcs7.detached') {
    problems.push(`unsupported signature type ${field.subFilter ?? '(none)'}`);
    return {
      ...base,
      kind: 'signature',
      signer: '',
      valid: false,
      trusted: false,
      coversWholeDocument,
      problems,
    };
  }

  // The signature time-stamp fixes the time the certificates must have been valid at.
  const first = await verifySignedData(field.contents, {
    content: signedBytes,
    anchors: ctx.anchors,
    at: new Date(),
  });
  const token = signatureTimeStampOf(first.unsignedAttributes);
  let signedAt = pdfDateToIso(field.claimedTime);
  let tsOk = true;
  let at = new Date();
  if (token) {
    const ts = await verifyTimeStampToken(token, (h) => digest(h, first.signatureValue), ctx);
    problems.push(...ts.problems);
    tsOk = ts.valid && ts.trusted;
    // Only a time-stamp that holds fixes the time; a forged one proves nothing.
    if (ts.genTime && tsOk) {
      at = ts.genTime;
      signedAt = ts.genTime.toISOString();
    }
  }
  const cms = await verifySignedData(field.contents, { content: signedBytes, ...ctx, at });
  problems.push(...cms.problems);
  if (field.subFilter === 'ETSI.CAdES.detached') {
    if (cms.signedAttributeTypes.includes(OID.signingTime)) {
      problems.push('PAdES baseline: signingTime must not be among the signed attributes');
    }
    if (!cms.signedAttributeTypes.includes(OID.signingCertificateV2)) {
      problems.push('PAdES baseline: no signingCertificateV2 attribute');
    }
  }
  const signer = cms.signer ? commonName(cms.signer) : '';
  return {
    ...base,
    kind: cms.signer && isPersonCertificate(cms.signer) ? 'signature' : 'seal',
    signer,
    certificateSubject: signer,
    signedAt,
    timeStamped: !!token,
    valid: sane && cms.valid && tsOk,
    trusted: cms.trusted && tsOk,
    coversWholeDocument,
    problems,
  };
}

// ---------------------------------------------------------------- XAdES

function parseXml(text: string): { doc?: Document; error?: string } {
  try {
    return { doc: parseXmlDocument(text) };
  } catch (err) {
    if (!(err instanceof XmlParseError)) throw err;
    return { error: err.detail };
  }
}

const childText = (parent: Element | undefined, ns: string, name: string) =>
  parent?.getElementsByTagNameNS(ns, name)[0]?.textContent?.trim() ?? undefined;

function b64ToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
}

const SIGNATURE_METHOD_HASH: Record<string, HashName> = {
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': 'SHA-256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': 'SHA-384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': 'SHA-512',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'SHA-256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': 'SHA-384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'SHA-512',
};

async function publicKeyFor(cert: x509.X509Certificate, signatureMethod: string): Promise<CryptoKey> {
  const hash = SIGNATURE_METHOD_HASH[signatureMethod] ?? 'SHA-256';
  if (cert.publicKey.algorithm.name === 'ECDSA') {
    const curve = (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve;
    return cert.publicKey.export({ name: 'ECDSA', namedCurve: curve }, ['verify'], crypto);
  }
  return cert.publicKey.export({ name: 'RSASSA-PKCS1-v1_5', hash }, ['verify'], crypto);
}

const DIGEST_URI_HASH: Record<string, HashName> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'SHA-256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'SHA-384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'SHA-512',
};

/** The certificate named by SigningCertificateV2 (or v1) among the candidates. */
function signingCertificate(
  signature: Element,
  candidates: x509.X509Certificate[],
): x509.X509Certificate | undefined {
  for (const tag of ['SigningCertificateV2', 'SigningCertificate']) {
    const el = signature.getElementsByTagNameNS(XADES_NS, tag)[0];
    if (!el) continue;
    const certDigest = el.getElementsByTagNameNS(XADES_NS, 'CertDigest')[0];
    const method =
      certDigest?.getElementsByTagNameNS(DSIG_NS, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
    const value = childText(certDigest, DSIG_NS, 'DigestValue');
    const hash = DIGEST_URI_HASH[method];
    if (!hash || !value) continue;
    const expected = Buffer.from(value, 'base64');
    return candidates.find((c) => Buffer.compare(digest(hash, new Uint8Array(c.rawData)), expected) === 0);
  }
  return undefined;
}

/** 50 years of renewals every 3 years need 17; far more is not ours, and each costs a full pass. */
const MAX_ARCHIVE_TIME_STAMPS = 64;

export async function verifyXades(
  xml: Uint8Array | string,
  trustAnchors: Anchors,
  options: { documents?: { fileName: string; bytes: Uint8Array }[] } = {},
): Promise<VerificationReport> {
  const anchors = toAnchors(trustAnchors);
  const text = typeof xml === 'string' ? xml : new TextDecoder().decode(xml);
  const { doc, error } = parseXml(text);
  if (!doc) return report([], [`not well-formed XML: ${error}`]);
  const signatureElements = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatureElements.length === 0) return report([], ['no XML signature found']);
  const signatures: SignatureReport[] = [];
  for (const el of signatureElements) signatures.push(await verifyXmlSignature(doc, el, anchors, options));
  return report(signatures);
}

async function verifyXmlSignature(
  doc: Document,
  signature: Element,
  anchors: x509.X509Certificate[],
  options: { documents?: { fileName: string; bytes: Uint8Array }[] },
): Promise<SignatureReport> {
  const problems: string[] = [];
  const certTexts = [
    ...Array.from(signature.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')),
    ...Array.from(signature.getElementsByTagNameNS(XADES_NS, 'EncapsulatedX509Certificate')),
  ].map((e) => e.textContent ?? '');
  const certificates = certTexts.flatMap((t) => {
    try {
      return [new x509.X509Certificate(bufferOf(b64ToBytes(t)))];
    } catch {
      return [];
    }
  });
  const crls = Array.from(signature.getElementsByTagNameNS(XADES_NS, 'EncapsulatedCRLValue')).map((e) =>
    b64ToBytes(e.textContent ?? ''),
  );
  const signer = signingCertificate(signature, certificates);
  if (!signer) problems.push('no certificate matches the signed SigningCertificateV2 reference');

  // Core validation: every reference digest, then the signature value by the signer's key.
  let coreValid = false;
  if (signer) {
    const method =
      signature.getElementsByTagNameNS(DSIG_NS, 'SignatureMethod')[0]?.getAttribute('Algorithm') ?? '';
    try {
      const core = withoutArchiveProperties(
        doc,
        Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature')).indexOf(signature),
      );
      const signedXml = new xadesjs.SignedXml(core.doc);
      signedXml.LoadXml(core.signature);
      // xmldsigjs re-imports a given key with the SignatureMethod's parameters, which for ECDSA
      // lack the curve and fail; the key we pass is already imported for exactly this use.
      Object.assign(signedXml, { reimportKey: async (key: CryptoKey) => key });
      coreValid = await signedXml.Verify(await publicKeyFor(signer, method));
      if (!coreValid)
        problems.push('the XML signature does not verify (signed content or properties changed)');
    } catch (e) {
      // xmldsigjs throws (plain objects, not Errors) when a reference digest does not match.
      const message = (e as { message?: string })?.message ?? String(e);
      problems.push(`the XML signature does not verify: ${message}`);
    }
  }

  // XAdES B-T: the time-stamp over the canonical SignatureValue.
  const encapsulated = signature
    .getElementsByTagNameNS(XADES_NS, 'SignatureTimeStamp')[0]
    ?.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0];
  let signedAt = childText(signature, XADES_NS, 'SigningTime');
  // Without a time-stamp only the present is known: the signer's claimed time proves nothing.
  let at = new Date();
  let tsOk = true;
  if (encapsulated) {
    const token = b64ToBytes(encapsulated.textContent ?? '');
    const canonical = canonicalSignatureValue(signature);
    const ts = await verifyTimeStampToken(token, (h) => digest(h, canonical), {
      anchors,
      pool: certificates,
      crls,
    });
    problems.push(...ts.problems);
    tsOk = ts.valid && ts.trusted;
    // Only a time-stamp that holds fixes the time; a forged one proves nothing.
    if (ts.genTime && tsOk) {
      at = ts.genTime;
      signedAt = ts.genTime.toISOString();
    }
  } else {
    // Still an intact signature (XAdES B-B), but without proof of when it was made: the signing
    // time is only the signer's claim, so the signature is not trusted as the B-LT we make.
    problems.push('no SignatureTimeStamp: XAdES B-B only, the signing time is the signer’s own claim');
  }

  // XAdES B-LTA: each archive time-stamp over everything before it (xades-archive-check.ts).
  const archiveStamps = archiveTimeStampsOf(signature);
  let archiveOk = archiveStamps.length <= MAX_ARCHIVE_TIME_STAMPS;
  // Each check canonicalises the whole document again: a bound keeps hostile input from costing more.
  if (!archiveOk) problems.push(`more than ${MAX_ARCHIVE_TIME_STAMPS} archive time-stamps: not checked`);
  const archiveFailures: string[][] = [];
  for (const [i, stamp] of (archiveOk ? archiveStamps : []).entries()) {
    const text = stamp.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]?.textContent ?? '';
    let input: Uint8Array;
    try {
      input = archiveTimeStampCoverage(signature, stamp);
    } catch (e) {
      if (!(e instanceof ArchiveInputError)) throw e;
      archiveFailures[i] = [`archive time-stamp ${i + 1}: ${e.message}`];
      continue;
    }
    const ts = await verifyTimeStampToken(b64ToBytes(text), (h) => digest(h, input), {
      anchors,
      pool: certificates,
      crls,
    });
    if (!(ts.valid && ts.trusted))
      archiveFailures[i] = ts.problems.length
        ? ts.problems.map((p) => `archive time-stamp ${i + 1}: ${p}`)
        : [`archive time-stamp ${i + 1} does not hold`];
  }
  // The newest archive time-stamp covers every one before it: while it holds, nothing it covers
  // has changed since, and an earlier one that fails (made before its imprint was computed the
  // standard's way, then covered by a sound one at the next renewal) is reported, not fatal.
  const newest = archiveStamps.length - 1;
  if (archiveOk && archiveStamps.length > 0 && archiveFailures[newest]) archiveOk = false;
  for (const [i, failure] of archiveFailures.entries()) {
    if (!failure) continue;
    problems.push(...failure);
    if (archiveOk)
      problems.push(
        `archive time-stamp ${i + 1} is covered by archive time-stamp ${newest + 1}, which holds`,
      );
  }

  let trusted = false;
  if (signer) {
    const chain = await validateChain(signer, {
      pool: certificates,
      anchors,
      at,
      crls,
      use: 'document-signature',
    });
    // The chain is judged at the time-stamp's time: without a sound time-stamp, no trust.
    trusted = chain.trusted && !!encapsulated && tsOk;
    problems.push(...chain.problems);
  }

  // The statement: who, and which documents.
  const root = doc.documentElement;
  const statement = root?.namespaceURI === SIGNED_DOCUMENTS_NS ? root : undefined;
  const documents = statement
    ? Array.from(statement.getElementsByTagNameNS(SIGNED_DOCUMENTS_NS, 'Document')).map((d) => ({
        title: childText(d, SIGNED_DOCUMENTS_NS, 'Title'),
        fileName: childText(d, SIGNED_DOCUMENTS_NS, 'FileName') ?? '',
        sha256: Buffer.from(childText(d, SIGNED_DOCUMENTS_NS, 'DigestValue') ?? '', 'base64').toString('hex'),
      }))
    : undefined;
  let documentsOk = true;
  for (const given of options.documents ?? []) {
    const listed = documents?.find((d) => d.fileName === given.fileName);
    const actual = Buffer.from(digest('SHA-256', given.bytes)).toString('hex');
    if (!listed) {
      documentsOk = false;
      problems.push(`document ${given.fileName} is not among the signed documents`);
    } else if (listed.sha256 !== actual) {
      documentsOk = false;
      problems.push(`document ${given.fileName} differs from the one signed (SHA-256 mismatch)`);
    }
  }
  const claimed = statement ? claimedSigner(statement) : undefined;
  const identity = signer ? signerIdentity(signer, claimed) : undefined;
  problems.push(...(identity?.problems ?? []));
  const certificateSubject = signer ? commonName(signer) : undefined;
  const has = (name: string) => signature.getElementsByTagNameNS(XADES_NS, name).length > 0;
  const longTerm = has('CertificateValues') && has('RevocationValues');
  return {
    kind: 'xades',
    signer: identity?.name ?? '',
    claimedSigner: claimed?.name,
    certificateSubject,
    signedAt,
    timeStamped: !!encapsulated,
    level: encapsulated
      ? longTerm
        ? archiveStamps.length > 0 && archiveOk
          ? 'B-LTA'
          : 'B-LT'
        : 'B-T'
      : 'B-B',
    ...(archiveStamps.length > 0 ? { archiveTimeStamps: archiveStamps.length } : {}),
    valid: coreValid && tsOk && archiveOk && documentsOk && (identity?.problems.length ?? 0) === 0,
    trusted,
    documents,
    problems,
  };
}

interface ClaimedSigner {
  name?: string;
  personalIdentificationNumber?: string;
  signatureType?: string;
}

function claimedSigner(statement: Element): ClaimedSigner {
  const el = statement.getElementsByTagNameNS(SIGNED_DOCUMENTS_NS, 'Signer')[0];
  return {
    name: childText(el, SIGNED_DOCUMENTS_NS, 'Name'),
    personalIdentificationNumber: childText(el, SIGNED_DOCUMENTS_NS, 'PersonalIdentificationNumber'),
    signatureType: childText(el, SIGNED_DOCUMENTS_NS, 'SignatureType'),
  };
}

const sameName = (a: string, b: string) => {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('nb');
  return norm(a) === norm(b);
};

/**
 * Who the report names as the signer, and why the statement's claim does not hold.
 * A person's own certificate (an advanced signature) names the signer: the statement must name
 * the same person and identity number. A seal (an authenticated signature) is the service
 * vouching for the person it authenticated, so the statement's person is the signer.
 */
function signerIdentity(
  cert: x509.X509Certificate,
  claimed: ClaimedSigner | undefined,
): { name: string; problems: string[] } {
  const subject = commonName(cert);
  const problems: string[] = [];
  if (isPersonCertificate(cert)) {
    if (claimed?.name !== undefined && !sameName(claimed.name, subject)) {
      problems.push(`signer: the statement names "${claimed.name}" but the certificate is "${subject}"`);
    }
    const pid = claimed?.personalIdentificationNumber;
    const serials = cert.subjectName.getField('2.5.4.5');
    if (pid && !serials.includes(`UN:NO-${pid}`)) {
      problems.push('signer: the statement’s identity number is not the certificate’s');
    }
    return { name: subject, problems };
  }
  if (claimed?.signatureType === 'ADVANCED_SIGNATURE') {
    problems.push(`signer: an advanced signature needs the signer’s own certificate, not "${subject}"`);
  }
  return { name: claimed?.name ?? subject, problems };
}
