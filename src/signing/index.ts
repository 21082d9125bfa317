/**
 * The signing package: the service PKI and time-stamping authority, the per-signer XAdES, the
 * sealed PAdES of a job, and the verifier behind `POST /api/verify`.
 */
export { createCrl, crlNames, crlsFor } from './crl.js';
export {
  type BirthDate,
  dateOfBirthFromIdentityNumber,
  formatBirthDate,
  signerIdentifier,
} from './identifiers.js';
export { type PackagedJob, PackagingInputError, packageJob, renewArchiveTimeStamp } from './package-job.js';
export { createSealedPades, type SealedPadesInput } from './pades.js';
export {
  addDocumentTimeStamp,
  addSealSignature,
  addValidationData,
  type SealOptions,
  type ValidationData,
} from './pdf/signatures.js';
export {
  type CaName,
  type CertifiedKey,
  caCertificate,
  caIssuerUrl,
  createPki,
  crlUrl,
  DEFAULT_CRL_BASE_URL,
  issuePersonCertificate,
  type KeyFilePaths,
  loadOrCreatePki,
  loadPkiFromFiles,
  type PersonIdentity,
  type Pki,
  type PkiFilePaths,
  type PkiOptions,
  trustAnchorsPem,
} from './pki.js';
export {
  createTimeStamper,
  DEV_TSA_POLICY,
  HttpTimeStamper,
  type LocalTimeStamper,
  readTimeStampToken,
  type TimeStamper,
  type TimeStamperOptions,
  TimeStampRequestError,
  type TimeStampTokenInfo,
} from './tsa.js';
export {
  type AuditEntry,
  DocumentUnprocessableError,
  type PackagingDocument,
  type PackagingJob,
  type PackagingSigner,
} from './types.js';
export {
  type SignatureKind,
  type SignatureReport,
  type VerificationReport,
  verifyPdfSignatures,
  verifyXades,
} from './verify.js';
export {
  completeRemoteSignerXades,
  createSignerXades,
  prepareRemoteSignerXades,
  type RemoteSigningCertificate,
  type SignerXadesInput,
  type XadesDocument,
  type XadesKey,
  type XadesSigner,
} from './xades.js';
export {
  addXadesArchiveTimeStamp,
  archiveTimeStamps,
  hasArchiveTimeStamp,
} from './xades-archive.js';
export { archiveTimeStampCoverage, archiveTimeStampsOf, canonicalise } from './xades-archive-check.js';
