/**
 * Checking CMS SignedData the way a relying party does: the content digest against the
 * messageDigest attribute, the signature over the signed attributes exactly as they were encoded,
 * the signingCertificateV2 binding, and the signer's path to a trust anchor. Also the RFC 3161
 * time-stamp tokens inside signatures (and as PDF document time-stamps), which are CMS too.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as asnCms from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/x509';
import { type CertificateUse, commonName, validateChain } from './chain.js';
import { digest, HASH_BY_OID, type HashName, OID, verifyBytes } from './cms.js';
import { children, readElement } from './der.js';
import { readTimeStampToken } from './tsa.js';

export interface CmsCheck {
  /** Digest and signature are intact. */
  valid: boolean;
  trusted: boolean;
  signer?: x509.X509Certificate;
  certificates: x509.X509Certificate[];
  signatureValue: Uint8Array;
  unsignedAttributes: asnCms.Attribute[];
  signedAttributeTypes: string[];
  problems: string[];
}

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

function certificatesOf(sd: asnCms.SignedData): x509.X509Certificate[] {
  return (sd.certificates ?? []).flatMap((choice) =>
    choice.certificate ? [new x509.X509Certificate(AsnConvert.serialize(choice.certificate))] : [],
  );
}

function findSigner(
  info: asnCms.SignerInfo,
  certs: x509.X509Certificate[],
): x509.X509Certificate | undefined {
  const ias = info.sid.issuerAndSerialNumber;
  if (ias) {
    const serial = Buffer.from(new Uint8Array(ias.serialNumber))
      .toString('hex')
      .replace(/^(00)+/, '');
    const issuer = new x509.Name(AsnConvert.serialize(ias.issuer)).toString();
    return certs.find(
      (c) => c.serialNumber.toLowerCase().replace(/^(00)+/, '') === serial && c.issuer === issuer,
    );
  }
  const ski = info.sid.subjectKeyIdentifier;
  if (ski) {
    const id = Buffer.from(new Uint8Array(ski.buffer)).toString('hex');
    return certs.find((c) => c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId === id);
  }
  return undefined;
}

/** The certHash values of a signingCertificateV2 attribute (SHA-256 ESSCertIDv2 entries). */
function essCertHashes(value: ArrayBuffer): { hash: HashName; value: Uint8Array }[] {
  const bytes = new Uint8Array(value);
  const out: { hash: HashName; value: Uint8Array }[] = [];
  const signingCertificate = readElement(bytes, 0);
  const certs = children(bytes, signingCertificate)[0];
  if (!certs) return out;
  for (const essCertId of children(bytes, certs)) {
    const fields = children(bytes, essCertId);
    let hash: HashName = 'SHA-256';
    let i = 0;
    if (fields[0]?.tag === 0x30) {
      const oid = children(bytes, fields[0])[0];
      if (oid) hash = HASH_BY_OID[oidToString(bytes.subarray(oid.contentStart, oid.end))] ?? 'SHA-256';
      i = 1;
    }
    const h = fields[i];
    if (h?.tag === 0x04) out.push({ hash, value: bytes.subarray(h.contentStart, h.end) });
  }
  return out;
}

function oidToString(body: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of body) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/**
 * The first signer's signed attributes as they are in the DER, re-tagged as SET (0x31): the bytes
 * the signature was made over. Read by hand because the ASN.1 schema parser does not keep the
 * original encoding of a repeated field, and re-encoding parsed values would hide tampering.
 */
function rawSignedAttributes(der: Uint8Array): Uint8Array | undefined {
  try {
    const contentInfo = readElement(der, 0);
    const explicit = children(der, contentInfo)[1];
    const signedData = explicit && children(der, explicit)[0];
    const signerInfos = signedData && children(der, signedData).at(-1);
    const signerInfo = signerInfos && children(der, signerInfos)[0];
    const attrs = signerInfo && children(der, signerInfo).find((el) => el.tag === 0xa0);
    if (!attrs) return undefined;
    const out = der.slice(attrs.start, attrs.end);
    out[0] = 0x31;
    return out;
  } catch {
    return undefined;
  }
}

export interface CmsVerifyOptions {
  /** The detached content's digest source: the bytes, or a function hashing with a given algorithm. */
  content?: (hash: HashName) => Uint8Array;
  anchors: x509.X509Certificate[];
  /** Extra certificates and CRLs (the PDF's DSS, XAdES CertificateValues/RevocationValues). */
  pool?: x509.X509Certificate[];
  crls?: Uint8Array[];
  /** The time certificates must have been valid at. */
  at: Date;
  /** What the signer's certificate must be fit for. Default: signing documents. */
  use?: CertificateUse;
}

export async function verifySignedData(der: Uint8Array, options: CmsVerifyOptions): Promise<CmsCheck> {
  const problems: string[] = [];
  const fail = (problem: string): CmsCheck => ({
    valid: false,
    trusted: false,
    certificates: [],
    signatureValue: new Uint8Array(),
    unsignedAttributes: [],
    signedAttributeTypes: [],
    problems: [problem],
  });
  let sd: asnCms.SignedData;
  try {
    const info = AsnConvert.parse(der, asnCms.ContentInfo);
    if (info.contentType !== OID.signedData) return fail('not a CMS SignedData');
    sd = AsnConvert.parse(info.content, asnCms.SignedData);
  } catch (e) {
    return fail(`CMS cannot be parsed: ${String(e)}`);
  }
  const info = sd.signerInfos[0];
  if (!info) return fail('CMS has no signer');
  const certificates = certificatesOf(sd);
  const signer = findSigner(info, certificates);
  const signatureValue = new Uint8Array(info.signature.buffer);
  const unsignedAttributes = info.unsignedAttrs ?? [];
  const signedAttrs = info.signedAttrs ?? [];
  const signedAttributeTypes = signedAttrs.map((a) => a.attrType);
  const hash = HASH_BY_OID[info.digestAlgorithm.algorithm];
  if (!hash) problems.push(`unsupported digest algorithm ${info.digestAlgorithm.algorithm}`);
  if (!signer) problems.push('the signer certificate is not in the CMS');

  let valid = !!hash && !!signer;
  if (hash && signer) {
    const attr = (type: string) => signedAttrs.find((a) => a.attrType === type)?.attrValues[0];
    const messageDigest = attr(OID.messageDigest);
    const eContent = sd.encapContentInfo.eContent?.single?.buffer;
    const content = eContent ? new Uint8Array(eContent) : undefined;
    const expected = content ? digest(hash, content) : options.content?.(hash);
    if (!messageDigest || !signedAttrs.length) {
      valid = false;
      problems.push('no signed attributes with a messageDigest');
    } else if (!expected) {
      valid = false;
      problems.push('no content to check the digest against');
    } else {
      const md = new Uint8Array(messageDigest);
      const mdValue = md.subarray(readElement(md, 0).contentStart);
      if (!equal(mdValue, expected)) {
        valid = false;
        problems.push('digest mismatch: the signed content was changed');
      }
    }
    // The signature covers the attributes exactly as encoded, with the [0] IMPLICIT tag as SET.
    const rawAttrs = rawSignedAttributes(der);
    if (!rawAttrs) {
      valid = false;
      problems.push('the signed attributes cannot be located in the CMS');
    } else if (!(await verifyBytes(signer, signatureValue, rawAttrs, hash).catch(() => false))) {
      valid = false;
      problems.push('the signature value does not verify (signed attributes changed or wrong key)');
    }
    const signingCertV2 = attr(OID.signingCertificateV2);
    if (signingCertV2) {
      const ids = essCertHashes(signingCertV2);
      const certDer = new Uint8Array(signer.rawData);
      if (!ids.some((id) => equal(id.value, digest(id.hash, certDer)))) {
        valid = false;
        problems.push('signingCertificateV2 does not match the signer certificate');
      }
    }
  }
  let trusted = false;
  if (signer) {
    const chain = await validateChain(signer, {
      pool: [...certificates, ...(options.pool ?? [])],
      anchors: options.anchors,
      at: options.at,
      crls: options.crls,
      use: options.use ?? 'document-signature',
    });
    trusted = chain.trusted;
    problems.push(...chain.problems);
  }
  return {
    valid,
    trusted,
    signer,
    certificates,
    signatureValue,
    unsignedAttributes,
    signedAttributeTypes,
    problems,
  };
}

export interface TimeStampCheck {
  genTime?: Date;
  authority?: string;
  valid: boolean;
  trusted: boolean;
  problems: string[];
}

/** Checks a time-stamp token and that it stamps `imprintOf(hash)`. */
export async function verifyTimeStampToken(
  token: Uint8Array,
  imprintOf: (hash: HashName) => Uint8Array,
  options: Omit<CmsVerifyOptions, 'content' | 'at'>,
): Promise<TimeStampCheck> {
  let info: ReturnType<typeof readTimeStampToken>;
  try {
    info = readTimeStampToken(token);
  } catch (e) {
    return { valid: false, trusted: false, problems: [`time-stamp token unreadable: ${String(e)}`] };
  }
  // The authority's certificate must be a time-stamping one (RFC 3161 §2.3), checked with the path.
  const cms = await verifySignedData(token, { ...options, at: info.genTime, use: 'time-stamping' });
  const problems = cms.problems.map((p) => `time-stamp: ${p}`);
  const hash = (['SHA-256', 'SHA-384', 'SHA-512'] as const).find((h) => h === info.hashAlgorithm);
  let imprintOk = false;
  if (!hash) problems.push(`time-stamp: unsupported hash ${info.hashAlgorithm}`);
  else {
    imprintOk = equal(info.messageImprint, imprintOf(hash));
    if (!imprintOk) problems.push('time-stamp: it stamps other data (message imprint mismatch)');
  }
  return {
    genTime: info.genTime,
    authority: cms.signer ? commonName(cms.signer) : undefined,
    valid: cms.valid && imprintOk,
    trusted: cms.trusted,
    problems,
  };
}
