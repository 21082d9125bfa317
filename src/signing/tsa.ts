/**
 * RFC 3161 time-stamping: an authority that runs inside the service (used by the packaging and
 * served over HTTP at `POST /tsa`), a client for an outside authority, and the token reader the
 * verifier and the client share.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as asnCms from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asnTsp from '@peculiar/asn1-tsp';
import * as asnX509 from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { attribute, encodeContentInfo, OID, sha256, signCms } from './cms.js';
import {
  bufferOf,
  children,
  concatBytes,
  type DerElement,
  objectIdentifier,
  octetString,
  raw,
  readElement,
  sequence,
  tlv,
} from './der.js';
import type { Pki } from './pki.js';

/** Anything that turns a digest into a time-stamp token (DER ContentInfo with SignedData). */
export interface TimeStamper {
  timestamp(digest: Uint8Array, hashAlgorithm?: 'SHA-256'): Promise<Uint8Array>;
}

/**
 * Policy under which our tokens are issued. 2.999 is the ITU-T "example" arc, free for anyone:
 * a development service has no registered policy. Production TSAs bring their own.
 */
export const DEV_TSA_POLICY = '2.999.578.1.1';

const HASHES: Record<string, { name: string; length: number }> = {
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', length: 64 },
};

export class TimeStampRequestError extends Error {
  constructor(
    message: string,
    /** PKIFailureInfo bit: 0 badAlg, 2 badRequest, 5 badDataFormat, 25 systemFailure. */
    readonly failInfoBit: number,
  ) {
    super(message);
    this.name = 'TimeStampRequestError';
  }
}

export interface LocalTimeStamper extends TimeStamper {
  /** Answers a DER TimeStampReq with a DER TimeStampResp (errors become a rejection response). */
  handleTimeStampRequest(tsq: Uint8Array): Promise<Uint8Array>;
}

export interface TimeStamperOptions {
  /** Clock of the authority (tests pin it). */
  clock?: () => Date;
  policy?: string;
}

/** 16 random bytes as a positive INTEGER's content: unique serial numbers and nonces. */
function randomSerial(): Uint8Array {
  const bytes = new Uint8Array(randomBytes(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

/** YYYYMMDDHHMMSS in UTC. */
function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function utcTime(date: Date): Uint8Array {
  // UTCTime YYMMDDHHMMSSZ, valid for signingTime until 2049.
  return tlv(0x17, new TextEncoder().encode(`${compactTime(date).slice(2)}Z`));
}

/** The in-process authority, signing with the PKI's TSA key. */
export function createTimeStamper(pki: Pki, options: TimeStamperOptions = {}): LocalTimeStamper {
  const tsa = pki.tsa;
  if (!tsa) throw new Error('this PKI has no time-stamping authority key; use HttpTimeStamper');
  const clock = options.clock ?? (() => new Date());
  const policy = options.policy ?? DEV_TSA_POLICY;

  async function issueToken(
    hashOid: string,
    digest: Uint8Array,
    nonce: Uint8Array | undefined,
    includeCertificates: boolean,
  ): Promise<Uint8Array> {
    const hash = HASHES[hashOid];
    if (!hash) throw new TimeStampRequestError(`unsupported hash algorithm ${hashOid}`, 0);
    if (digest.length !== hash.length) {
      throw new TimeStampRequestError(
        `a ${hash.name} digest has ${hash.length} bytes, not ${digest.length}`,
        5,
      );
    }
    // Whole seconds: some validators mishandle fractional GeneralizedTime.
    const genTime = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const tstInfoDer = sequence(
      tlv(0x02, Uint8Array.of(1)),
      objectIdentifier(policy),
      sequence(sequence(objectIdentifier(hashOid)), octetString(digest)),
      tlv(0x02, randomSerial()),
      tlv(0x18, new TextEncoder().encode(`${compactTime(genTime)}Z`)),
      sequence(tlv(0x02, Uint8Array.of(1))), // accuracy: 1 second
      ...(nonce ? [tlv(0x02, nonce)] : []),
    );
    const built = await signCms({
      signer: tsa!,
      contentType: OID.tstInfo,
      contentDigest: sha256(tstInfoDer),
      encapsulated: tstInfoDer,
      extraSignedAttributes: [attribute(OID.signingTime, utcTime(genTime))],
      certificates: includeCertificates ? [tsa!.certificate, ...tsa!.chain] : [],
    });
    return encodeContentInfo(built);
  }

  return {
    timestamp(digest, hashAlgorithm = 'SHA-256') {
      if (hashAlgorithm !== 'SHA-256') throw new TimeStampRequestError('only SHA-256 is offered', 0);
      return issueToken(OID.sha256, digest, randomSerial(), true);
    },

    async handleTimeStampRequest(tsq) {
      try {
        let request: asnTsp.TimeStampReq;
        try {
          request = AsnConvert.parse(tsq, asnTsp.TimeStampReq);
        } catch {
          throw new TimeStampRequestError('not a DER TimeStampReq', 5);
        }
        if (request.reqPolicy && request.reqPolicy !== policy) {
          throw new TimeStampRequestError(`policy ${request.reqPolicy} is not offered`, 15);
        }
        const token = await issueToken(
          request.messageImprint.hashAlgorithm.algorithm,
          new Uint8Array(request.messageImprint.hashedMessage.buffer),
          request.nonce ? new Uint8Array(request.nonce) : undefined,
          request.certReq,
        );
        // TimeStampResp { status PKIStatusInfo { granted }, timeStampToken }
        return sequence(sequence(tlv(0x02, Uint8Array.of(0))), token);
      } catch (e) {
        const failure = e instanceof TimeStampRequestError ? e : new TimeStampRequestError(String(e), 25);
        return rejectionResponse(failure);
      }
    },
  };
}

function rejectionResponse(error: TimeStampRequestError): Uint8Array {
  const bit = error.failInfoBit;
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[Math.floor(bit / 8)] = 0x80 >> (bit % 8);
  const unused = 7 - (bit % 8);
  const text = tlv(0x0c, new TextEncoder().encode(error.message));
  return sequence(
    sequence(
      tlv(0x02, Uint8Array.of(2)),
      sequence(text),
      tlv(0x03, concatBytes([Uint8Array.of(unused), bytes])),
    ),
  );
}

/** What a verifier or client needs from a token. */
export interface TimeStampTokenInfo {
  genTime: Date;
  hashAlgorithm: string;
  messageImprint: Uint8Array;
  nonce?: Uint8Array;
  serialNumber: Uint8Array;
  policy: string;
  signedData: asnCms.SignedData;
}

export function readTimeStampToken(token: Uint8Array): TimeStampTokenInfo {
  const info = AsnConvert.parse(token, asnCms.ContentInfo);
  if (info.contentType !== OID.signedData) throw new Error('time-stamp token is not SignedData');
  const signedData = AsnConvert.parse(info.content, asnCms.SignedData);
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo)
    throw new Error('token does not hold a TSTInfo');
  const eContent = signedData.encapContentInfo.eContent;
  const tstDer = eContent?.single
    ? new Uint8Array(eContent.single.buffer)
    : eContent?.any
      ? new Uint8Array(eContent.any)
      : undefined;
  if (!tstDer) throw new Error('token has no TSTInfo content');
  const tst = AsnConvert.parse(tstDer, asnTsp.TSTInfo);
  return {
    genTime: tst.genTime,
    hashAlgorithm:
      HASHES[tst.messageImprint.hashAlgorithm.algorithm]?.name ?? tst.messageImprint.hashAlgorithm.algorithm,
    messageImprint: new Uint8Array(tst.messageImprint.hashedMessage.buffer),
    nonce: tst.nonce ? new Uint8Array(tst.nonce) : undefined,
    serialNumber: new Uint8Array(tst.serialNumber),
    policy: tst.policy,
    signedData,
  };
}

/**
 * The parts of a token's SignedData as DER slices, read without the ASN.1 schema parser: a full
 * parse of the certificates it carries cost more than the rest of a signer's XAdES (profiled),
 * and the certificates and time are all that packaging and the XAdES extension need of a token
 * they have just been given. A malformed token still throws.
 */
function signedDataParts(token: Uint8Array): { encapContentInfo: DerElement; certificates: DerElement[] } {
  const [contentType, content] = children(token, readElement(token, 0));
  if (!contentType || !content || content.tag !== 0xa0)
    throw new Error('time-stamp token is not a ContentInfo');
  const signedData = children(token, content)[0];
  if (!signedData) throw new Error('time-stamp token is not SignedData');
  // SignedData: version, digestAlgorithms, encapContentInfo, [0] certificates OPTIONAL, ...
  const fields = children(token, signedData);
  const encapContentInfo = fields[2];
  if (!encapContentInfo) throw new Error('time-stamp token has no content');
  const certificateSet = fields[3]?.tag === 0xa0 ? fields[3] : undefined;
  // CertificateChoices: a plain Certificate is a SEQUENCE; the tagged alternatives are not ones.
  const certificates = certificateSet ? children(token, certificateSet).filter((c) => c.tag === 0x30) : [];
  return { encapContentInfo, certificates };
}

/** When the authority says it saw the digest: TSTInfo's genTime. */
export function timeStampTime(token: Uint8Array): Date {
  const { encapContentInfo } = signedDataParts(token);
  const [eContentType, eContent] = children(token, encapContentInfo);
  if (!eContentType || !eContent) throw new Error('token has no TSTInfo content');
  const octets = children(token, eContent)[0];
  if (octets?.tag !== 0x04) throw new Error('token has no TSTInfo content');
  const tst = AsnConvert.parse(token.subarray(octets.contentStart, octets.end), asnTsp.TSTInfo);
  return tst.genTime;
}

/** Parsed certificates by their DER (base64): a certificate's bytes are all of it. */
const parsedCertificates = new Map<string, x509.X509Certificate>();
const PARSED_CERTIFICATES_KEPT = 256;

/** A certificate parsed once per process: every token of an authority carries the same ones. */
export function certificateFromDer(der: Uint8Array): x509.X509Certificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let cert = parsedCertificates.get(key);
  if (!cert) {
    cert = new x509.X509Certificate(bufferOf(der));
    if (parsedCertificates.size >= PARSED_CERTIFICATES_KEPT) parsedCertificates.clear();
    parsedCertificates.set(key, cert);
  }
  return cert;
}

/** The certificates a token carries (the authority's and its chain, when the request asked). */
export function tokenCertificates(token: Uint8Array): x509.X509Certificate[] {
  return signedDataParts(token).certificates.map((c) => certificateFromDer(raw(token, c)));
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Client of an outside RFC 3161 authority over HTTP. */
export class HttpTimeStamper implements TimeStamper {
  constructor(
    readonly url: string,
    private readonly options: { timeoutMs?: number; policy?: string } = {},
  ) {}

  async timestamp(digest: Uint8Array, hashAlgorithm: 'SHA-256' = 'SHA-256'): Promise<Uint8Array> {
    if (hashAlgorithm !== 'SHA-256') throw new Error('only SHA-256 is supported');
    const nonce = randomSerial();
    const request = new asnTsp.TimeStampReq({
      version: asnTsp.TimeStampReqVersion.v1,
      messageImprint: new asnTsp.MessageImprint({
        hashAlgorithm: new asnX509.AlgorithmIdentifier({ algorithm: OID.sha256 }),
        hashedMessage: new OctetString(digest),
      }),
      reqPolicy: this.options.policy,
      nonce: bufferOf(nonce),
      certReq: true,
    });
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(AsnConvert.serialize(request)),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!response.ok) throw new Error(`TSA ${this.url} answered HTTP ${response.status}`);
    const body = new Uint8Array(await response.arrayBuffer());
    // Slice the token out byte for byte: re-encoding a parsed token could alter its signed bytes.
    const parts = children(body, readElement(body, 0));
    const statusInfo = parts[0];
    const tokenElement = parts[1];
    if (!statusInfo) throw new Error('TSA response is empty');
    const status = AsnConvert.parse(raw(body, statusInfo), asnTsp.PKIStatusInfo);
    if (status.status !== asnTsp.PKIStatus.granted && status.status !== asnTsp.PKIStatus.grantedWithMods) {
      throw new Error(`TSA refused: status ${status.status} ${status.statusString?.join(' ') ?? ''}`.trim());
    }
    if (!tokenElement) throw new Error('TSA granted but sent no token');
    const token = raw(body, tokenElement).slice();
    const info = readTimeStampToken(token);
    if (!equalBytes(info.messageImprint, digest)) throw new Error('TSA token is for another digest');
    if (!info.nonce || !equalBytes(trimInteger(info.nonce), trimInteger(nonce))) {
      throw new Error('TSA token nonce does not match the request');
    }
    return token;
  }
}

function trimInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
