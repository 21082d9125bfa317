/**
 * What the packaging activity calls: the sealed PAdES of a completed job from its documents and
 * the XAdES stored as each signer signed, plus the renewal of the archive time-stamp that
 * long-term storage needs.
 *
 * Pure with respect to its inputs, keys and time: a retried activity recomputes a result of the
 * same content (signature values differ, ECDSA being randomised), and the activity stores the first
 * one it completes.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/x509';
import { parseXmlDocument } from '../xml/parse.js';
import { crlsFor } from './crl.js';
import { type SealedPadesInput, sealJob } from './pades.js';
import { type PdfName, PdfString } from './pdf/objects.js';
import { PdfReader } from './pdf/reader.js';
import { addDocumentTimeStamp, addValidationData, signatureDictionaries, trimDer } from './pdf/signatures.js';
import type { Pki } from './pki.js';
import { readTimeStampToken, type TimeStamper } from './tsa.js';
import { SIGNED_DOCUMENTS_NS } from './xades.js';

export interface PackagedJob {
  pdf: Uint8Array;
  /** Suggested download name. */
  fileName: string;
  /** Hex SHA-256 of `pdf`, for the record and for idempotent storage. */
  sha256: string;
  /** Per input document, in order: why its PDF/A claim was not kept (empty: none made, or kept). */
  documentPdfAProblems: string[][];
}

export class PackagingInputError extends Error {
  readonly nonRetryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'PackagingInputError';
  }
}

/** The document digests a stored XAdES statement lists, as hex. */
function signedDigests(xades: Uint8Array): string[] {
  const doc = parseXmlDocument(xades);
  return Array.from(doc.getElementsByTagNameNS(SIGNED_DOCUMENTS_NS, 'DigestValue')).map((e) =>
    Buffer.from(e.textContent ?? '', 'base64').toString('hex'),
  );
}

function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return s.slice(0, 60) || 'dokument';
}

export async function packageJob(input: SealedPadesInput): Promise<PackagedJob> {
  const expected = input.documents.map((d) => createHash('sha256').update(d.bytes).digest('hex')).sort();
  for (const signer of input.signers) {
    const listed = signedDigests(signer.xades).sort();
    if (listed.join() !== expected.join()) {
      throw new PackagingInputError(`the stored XAdES of ${signer.name} does not sign this job's documents`);
    }
  }
  const { pdf, documentPdfAProblems } = await sealJob(input);
  return {
    pdf,
    documentPdfAProblems,
    fileName: `${slug(input.job.title)}-signert.pdf`,
    sha256: createHash('sha256').update(pdf).digest('hex'),
  };
}

/**
 * Renews the archive time-stamp of a signed PDF (long-term storage): validation data for the
 * newest document time-stamp's authority goes into the DSS, then a new document time-stamp covers
 * everything. Run it before the last time-stamp's certificate expires or its algorithm weakens.
 */
export async function renewArchiveTimeStamp(
  pdf: Uint8Array,
  deps: { pki: Pki; timeStamper: TimeStamper; now?: Date },
): Promise<Uint8Array> {
  const reader = PdfReader.open(pdf);
  const stamps = signatureDictionaries(reader).filter(
    (d) => (d.get('SubFilter') as PdfName | undefined)?.name === 'ETSI.RFC3161',
  );
  const last = stamps[stamps.length - 1]?.get('Contents');
  const certificates: x509.X509Certificate[] = [];
  if (last instanceof PdfString) {
    const { signedData } = readTimeStampToken(trimDer(last.bytes));
    for (const choice of signedData.certificates ?? []) {
      if (choice.certificate)
        certificates.push(new x509.X509Certificate(AsnConvert.serialize(choice.certificate)));
    }
  }
  const withData = await addValidationData(pdf, {
    certificates,
    crls: await crlsFor(deps.pki, certificates, deps.now ?? new Date()),
  });
  return addDocumentTimeStamp(withData, {
    timeStamper: deps.timeStamper,
    fieldName: `ArchiveTimeStamp${stamps.length + 1}`,
  });
}
