/**
 * The signed PDF of a job (PAdES baseline B-LTA): presentation, then the service seal with a
 * signature time-stamp, then the validation data, then a document time-stamp, each signing step
 * an incremental update of the file before it.
 */
import { crlsFor } from './crl.js';
import { addDocumentTimeStamp, addSealSignature, addValidationData } from './pdf/signatures.js';
import type { Pki } from './pki.js';
import { presentJob } from './presentation.js';
import { type TimeStamper, tokenCertificates } from './tsa.js';
import type { AuditEntry, PackagingDocument, PackagingJob, PackagingSigner } from './types.js';

export interface SealedPadesInput {
  job: PackagingJob;
  documents: PackagingDocument[];
  signers: PackagingSigner[];
  audit?: AuditEntry[];
  pki: Pki;
  timeStamper: TimeStamper;
  /** When the job completed: document dates and the seal's claimed time. Default: now. */
  now?: Date;
}

export async function createSealedPades(input: SealedPadesInput): Promise<Uint8Array> {
  return (await sealJob(input)).pdf;
}

export interface SealedJob {
  pdf: Uint8Array;
  /** Per input document, in order: why its PDF/A claim was not kept (then the PDF is plain 1.7). */
  documentPdfAProblems: string[][];
}

/** The sealed PAdES with what packaging found about the inputs' PDF/A claims. */
export async function sealJob(input: SealedPadesInput): Promise<SealedJob> {
  const now = input.now ?? new Date();
  const { pki } = input;
  // Keeps the tokens, whose authority's certificates need revocation data in the DSS, be it ours
  // or an outside one.
  const tokens: Uint8Array[] = [];
  const timeStamper: TimeStamper = {
    timestamp: async (digest, hash) => {
      const token = await input.timeStamper.timestamp(digest, hash);
      tokens.push(token);
      return token;
    },
  };
  const sealName = pki.seal.certificate.subjectName.getField('CN')[0] ?? 'the service';
  const presentation = await presentJob({
    job: input.job,
    documents: input.documents,
    signers: input.signers,
    audit: input.audit,
    sealedBy: sealName,
    createdAt: now,
  });
  const sealed = await addSealSignature(presentation.bytes, {
    signer: pki.seal,
    timeStamper,
    signedAt: now,
    reason: `Forseglet etter signering av oppdrag ${input.job.jobId}`,
  });
  const certificates = [pki.seal.certificate, ...pki.seal.chain, ...tokens.flatMap(tokenCertificates)];
  const withValidationData = await addValidationData(sealed, {
    certificates,
    // Issued as they are embedded, after the seal's time-stamp: status as of that moment.
    crls: await crlsFor(pki, certificates, new Date()),
  });
  const pdf = await addDocumentTimeStamp(withValidationData, { timeStamper, fieldName: 'DocumentTimeStamp' });
  return { pdf, documentPdfAProblems: presentation.documentPdfAProblems };
}
