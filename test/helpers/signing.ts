/**
 * Shared set-up of the signing tests: a PKI, the in-process TSA, signers with their XAdES, and
 * slicing signatures out of a PDF so outside tools can check them.
 */
import { createHash } from 'node:crypto';
import * as asnCms from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { IdentifierInSignedDocuments } from '../../src/job/model.js';
import {
  createPki,
  createSignerXades,
  createTimeStamper,
  issuePersonCertificate,
  type LocalTimeStamper,
  type PackagingDocument,
  type PackagingSigner,
  type Pki,
  type SealedPadesInput,
  trustAnchorsPem,
} from '../../src/signing/index.js';
import type { PdfName, PdfString } from '../../src/signing/pdf/objects.js';
import { PdfReader } from '../../src/signing/pdf/reader.js';
import { signatureDictionaries, trimDer } from '../../src/signing/pdf/signatures.js';

export interface SigningWorld {
  pki: Pki;
  timeStamper: LocalTimeStamper;
  rootPem: string;
}

export async function signingWorld(): Promise<SigningWorld> {
  const pki = await createPki();
  return { pki, timeStamper: createTimeStamper(pki), rootPem: trustAnchorsPem(pki) };
}

/** Identity numbers used by the tests: a birth number, a D-number, a Tenor synthetic number. */
export const PIDS = {
  fnr: '01017012345',
  dnr: '41017012345',
  synthetic: '01817012345',
} as const;

export interface TestSigner {
  name: string;
  pid?: string;
  advanced?: boolean;
}

/** Signs `documents` for each signer, as the sign endpoint would, and returns packaging signers. */
export async function signAll(
  world: SigningWorld,
  jobId: string,
  documents: PackagingDocument[],
  signers: TestSigner[],
  signedAt = new Date(),
): Promise<PackagingSigner[]> {
  const xadesDocuments = documents.map((d) => ({
    title: d.title,
    fileName: d.fileName,
    mimeType: d.mimeType,
    sha256: new Uint8Array(createHash('sha256').update(d.bytes).digest()),
  }));
  return Promise.all(
    signers.map(async (s) => {
      const signatureType = s.advanced
        ? ('ADVANCED_SIGNATURE' as const)
        : ('AUTHENTICATED_SIGNATURE' as const);
      const person = s.advanced
        ? await issuePersonCertificate(world.pki, { name: s.name, nationalIdentityNumber: s.pid ?? PIDS.fnr })
        : undefined;
      const xades = await createSignerXades({
        documents: xadesDocuments,
        jobId,
        signer: {
          name: s.name,
          personalIdentificationNumber: s.pid,
          signatureType,
          authenticationLevel: 4,
          authenticatedAt: new Date(signedAt.getTime() - 30_000),
          signedAt,
          eidProvider: s.advanced ? 'Test BankID' : 'Test ID-porten',
        },
        key: person ? { kind: 'personal', ...person } : { kind: 'service' },
        pki: world.pki,
        timeStamper: world.timeStamper,
      });
      return {
        name: s.name,
        personalIdentificationNumber: s.pid,
        signatureType,
        authenticationLevel: 4 as const,
        signedAt,
        xades,
      };
    }),
  );
}

export function jobInput(
  world: SigningWorld,
  documents: PackagingDocument[],
  signers: PackagingSigner[],
  identifierInSignedDocuments: IdentifierInSignedDocuments = 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME',
): SealedPadesInput {
  return {
    job: {
      jobId: 'job-0001',
      title: 'Leiekontrakt for Storgata 1',
      reference: 'REF-42',
      senderName: 'Eiendom Øst AS',
      senderOrg: '987654321',
      identifierInSignedDocuments,
    },
    documents,
    signers,
    audit: [
      { at: new Date(Date.now() - 3_600_000), text: 'Oppdraget ble opprettet' },
      { at: new Date(), text: 'Alle har signert' },
    ],
    pki: world.pki,
    timeStamper: world.timeStamper,
  };
}

export interface PdfSignatureSlice {
  subFilter: string;
  contents: Uint8Array;
  byteRange: number[];
  /** The bytes the ByteRange covers, concatenated. */
  signedBytes: Uint8Array;
  /** Offset of the hex /Contents value (after '<') in the file. */
  contentsOffset: number;
}

export function pdfSignatures(pdf: Uint8Array): PdfSignatureSlice[] {
  const reader = PdfReader.open(pdf);
  return signatureDictionaries(reader).map((sig) => {
    const contents = sig.get('Contents') as PdfString;
    const br = (sig.get('ByteRange') as number[]).map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = br;
    return {
      subFilter: (sig.get('SubFilter') as PdfName).name,
      contents: trimDer(contents.bytes),
      byteRange: br,
      signedBytes: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
      contentsOffset: b + 1,
    };
  });
}

/** The signature-time-stamp token and the signature value of a CMS signature. */
export function signatureTimeStamp(cms: Uint8Array): { token: Uint8Array; signatureValue: Uint8Array } {
  const info = AsnConvert.parse(cms, asnCms.ContentInfo);
  const sd = AsnConvert.parse(info.content, asnCms.SignedData);
  const signer = sd.signerInfos[0]!;
  const attr = signer.unsignedAttrs?.find((a) => a.attrType === '1.2.840.113549.1.9.16.2.14');
  if (!attr) throw new Error('no signature time-stamp');
  return {
    token: new Uint8Array(attr.attrValues[0]!),
    signatureValue: new Uint8Array(signer.signature.buffer),
  };
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
