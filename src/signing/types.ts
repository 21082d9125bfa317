/**
 * The inputs of the packaging: what a completed job contributes to its signed documents.
 */

import type { AuthenticationLevel, IdentifierInSignedDocuments, SignatureType } from '../job/model.js';
import type { DocumentLanguage } from './identifiers.js';

export interface PackagingJob {
  jobId: string;
  title: string;
  reference?: string;
  /** The sender organisation's name. */
  senderName: string;
  /** The sender's organisation number. */
  senderOrg: string;
  identifierInSignedDocuments: IdentifierInSignedDocuments;
  /** The language of the signature page and audit summary: the job's language (default nb). */
  language?: DocumentLanguage;
}

export interface PackagingDocument {
  title: string;
  fileName: string;
  /** `application/pdf` or `text/plain` (UTF-8). */
  mimeType: string;
  bytes: Uint8Array;
}

export interface PackagingSigner {
  name: string;
  personalIdentificationNumber?: string;
  customIdentifier?: string;
  signatureType: SignatureType;
  authenticationLevel: AuthenticationLevel;
  signedAt: Date;
  /** The remote signing service that made an advanced signature (BankID, Buypass), if one did. */
  signingProvider?: string;
  /** The signer's XAdES, as `createSignerXades` made it. */
  xades: Uint8Array;
}

export interface AuditEntry {
  at: Date;
  text: string;
}

/**
 * A document that cannot be turned into the signed PDF (encrypted, broken, no pages). Retrying
 * cannot help: callers treat it as a non-retryable failure of the job.
 */
export class DocumentUnprocessableError extends Error {
  readonly nonRetryable = true;
  constructor(
    readonly fileName: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`document ${fileName} cannot be processed: ${reason}`, options);
    this.name = 'DocumentUnprocessableError';
  }
}
