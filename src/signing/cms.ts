/**
 * CMS SignedData, built and checked the way PAdES baseline and RFC 3161 want it: SHA-256,
 * signed attributes contentType + messageDigest + signingCertificateV2 (ESSCertIDv2), sorted
 * into DER order (NSS re-encodes the attribute set before verifying, so an unsorted set fails
 * there), optional unsigned attributes (the signature time-stamp) added after signing.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import {
  bufferOf,
  children,
  concatBytes,
  issuerAndSerialOf,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  tlv,
} from './der.js';
import { crypto } from './engines.js';
import { type CertifiedKey, keyKindOfCertificate, keyKindOfKey, signParams } from './keys.js';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** signingCertificateV2 with one ESSCertIDv2 (SHA-256, the default, so the algorithm is omitted). */
export function signingCertificateV2Attribute(cert: x509.X509Certificate): Attribute {
  const der = new Uint8Array(cert.rawData);
  const { issuer, serial } = issuerAndSerialOf(der);
  const issuerSerial = sequence(sequence(tlv(0xa4, issuer)), serial);
  const essCertIdV2 = sequence(octetString(sha256(der)), issuerSerial);
  return attribute(OID.signingCertificateV2, sequence(sequence(essCertIdV2)));
}

/** Minimal unsigned big-endian INTEGER content: strip leading zeros, keep it positive. */
function integerContent(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return trimmed[0]! & 0x80 ? concatBytes([Uint8Array.of(0), trimmed]) : trimmed;
}

/** WebCrypto gives ECDSA signatures as r||s; CMS wants DER SEQUENCE { r INTEGER, s INTEGER }. */
function ecdsaRawToDer(rawSig: Uint8Array): Uint8Array {
  const half = rawSig.length / 2;
  return sequence(
    tlv(0x02, integerContent(rawSig.subarray(0, half))),
    tlv(0x02, integerContent(rawSig.subarray(half))),
  );
}

function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array {
  const seq = readElement(der, 0);
  const out = new Uint8Array(size * 2);
  children(der, seq).forEach((el, i) => {
    let v = der.subarray(el.contentStart, el.end);
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    out.set(v, i * size + (size - v.length));
  });
  return out;
}

export async function signBytes(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  const sig = new Uint8Array(await crypto.subtle.sign(signParams(key), key, bufferOf(data)));
  return keyKindOfKey(key) === 'ECDSA-P256' ? ecdsaRawToDer(sig) : sig;
}

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export const HASH_BY_OID: Record<string, HashName> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

export function digest(hash: HashName, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(hash.replace('-', '').toLowerCase());
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const EC_SIZES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/**
 * Verifies a CMS/X.509-style signature (DER ECDSA or RSA PKCS#1 v1.5) by a certificate's key.
 * Validators accept more than we produce: any of the NIST curves and SHA-2 hashes.
 */
export async function verifyBytes(
  cert: x509.X509Certificate,
  signature: Uint8Array,
  data: Uint8Array,
  hash: HashName = 'SHA-256',
): Promise<boolean> {
  const kind = keyKindOfCertificate(cert);
  if (kind === 'ECDSA-P256') {
    const curve = (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve ?? 'P-256';
    const size = EC_SIZES[curve];
    if (!size) throw new Error(`unsupported curve ${curve}`);
    const key = await cert.publicKey.export({ name: 'ECDSA', namedCurve: curve }, ['verify'], crypto);
    let raw: Uint8Array;
    try {
      raw = ecdsaDerToRaw(signature, size);
    } catch {
      return false;
    }
    return crypto.subtle.verify({ name: 'ECDSA', hash }, key, bufferOf(raw), bufferOf(data));
  }
  const key = await cert.publicKey.export({ name: 'RSASSA-PKCS1-v1_5', hash }, ['verify'], crypto);
  return crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, bufferOf(signature), bufferOf(data));
}

export interface SignCmsParams {
  signer: CertifiedKey;
  /** eContentType; id-data for detached document signatures, id-ct-TSTInfo for time-stamps. */
  contentType: string;
  /** SHA-256 of the content. */
  contentDigest: Uint8Array;
  /** Encapsulated content (time-stamp tokens); absent for detached signatures. */
  encapsulated?: Uint8Array;
  /** Further signed attributes (e.g. signingTime for TSA tokens; never for PAdES). */
  extraSignedAttributes?: Attribute[];
  /** Certificates to carry; default the signer's certificate and its chain. */
  certificates?: x509.X509Certificate[];
}

/**
 * A signed SignedData whose unsigned attributes can still be added before encoding.
 *
 * Assembled from DER pieces rather than through an ASN.1 object model: certificates go in as the
 * bytes they already are, and the seal step (the benchmark's hot path) spends its time hashing
 * and signing instead of parsing and re-encoding certificates.
 */
export interface BuiltSignedData {
  /** The signature value, what a signature time-stamp is computed over. */
  signatureValue: Uint8Array;
  unsignedAttributes: Attribute[];
  /** Everything of the SignerInfo before its unsigned attributes. */
  readonly signerInfoHead: Uint8Array;
  /** SignedData fields before signerInfos. */
  readonly signedDataHead: Uint8Array;
}

/** An attribute: its type and its values, each value already DER. */
export interface Attribute {
  type: string;
  values: Uint8Array[];
}

export function attribute(type: string, valueDer: Uint8Array): Attribute {
  return { type, values: [valueDer] };
}

function encodeAttribute(a: Attribute): Uint8Array {
  return sequence(objectIdentifier(a.type), tlv(0x31, ...a.values));
}

/** DER SET OF: the elements sorted by their encodings. */
function derSetOf(elements: Uint8Array[]): Uint8Array[] {
  return [...elements].sort((x, y) => Buffer.compare(x, y));
}

const SHA256_ALGORITHM = sequence(objectIdentifier(OID.sha256));

function signatureAlgorithmOf(key: CryptoKey): Uint8Array {
  return keyKindOfKey(key) === 'ECDSA-P256'
    ? sequence(objectIdentifier(OID.ecdsaWithSha256))
    : sequence(objectIdentifier(OID.sha256WithRsa), tlv(0x05));
}

export async function signCms(params: SignCmsParams): Promise<BuiltSignedData> {
  const { signer } = params;
  const attrs = [
    attribute(OID.contentType, objectIdentifier(params.contentType)),
    attribute(OID.messageDigest, octetString(params.contentDigest)),
    signingCertificateV2Attribute(signer.certificate),
    ...(params.extraSignedAttributes ?? []),
  ];
  const attrsContent = derSetOf(attrs.map(encodeAttribute));
  const signatureValue = await signBytes(signer.privateKey, tlv(0x31, ...attrsContent));

  const { issuer, serial } = issuerAndSerialOf(new Uint8Array(signer.certificate.rawData));
  const signerInfoHead = concatBytes([
    tlv(0x02, Uint8Array.of(1)),
    sequence(issuer, serial),
    SHA256_ALGORITHM,
    tlv(0xa0, ...attrsContent),
    signatureAlgorithmOf(signer.privateKey),
    octetString(signatureValue),
  ]);
  const certificates = params.certificates ?? [signer.certificate, ...signer.chain];
  // CMS version 1 when eContentType is id-data, else 3 (RFC 5652 §5.1).
  const version = params.contentType === OID.data ? 1 : 3;
  const signedDataHead = concatBytes([
    tlv(0x02, Uint8Array.of(version)),
    tlv(0x31, SHA256_ALGORITHM),
    sequence(
      objectIdentifier(params.contentType),
      ...(params.encapsulated ? [tlv(0xa0, octetString(params.encapsulated))] : []),
    ),
    ...(certificates.length ? [tlv(0xa0, ...certificates.map((c) => new Uint8Array(c.rawData)))] : []),
  ]);
  return { signatureValue, unsignedAttributes: [], signerInfoHead, signedDataHead };
}

export function addUnsignedAttribute(built: BuiltSignedData, attr: Attribute): void {
  built.unsignedAttributes.push(attr);
}

/** ContentInfo { id-signedData, [0] SignedData } in DER. */
export function encodeContentInfo(built: BuiltSignedData): Uint8Array {
  const unsigned = built.unsignedAttributes.length
    ? [tlv(0xa1, ...derSetOf(built.unsignedAttributes.map(encodeAttribute)))]
    : [];
  const signerInfo = sequence(built.signerInfoHead, ...unsigned);
  const signedData = sequence(built.signedDataHead, tlv(0x31, signerInfo));
  return sequence(objectIdentifier(OID.signedData), tlv(0xa0, signedData));
}
