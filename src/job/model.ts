/**
 * The vocabulary of a signature job, shared by the API, the activities and the workflow.
 * Pure types and constants only: workflow code imports this file, so it must stay free of I/O.
 */

export const FLOWS = ['direct', 'portal'] as const;
export type Flow = (typeof FLOWS)[number];

export const JOB_STATUSES = ['IN_PROGRESS', 'COMPLETED_SUCCESSFULLY', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const SIGNER_STATUSES = [
  'WAITING',
  'SIGNED',
  'REJECTED',
  'EXPIRED',
  'CANCELLED',
  'NOT_APPLICABLE',
  'RESERVED',
  'CONTACT_INFORMATION_MISSING',
  // Wrong one-time codes: only jobs that ended so before wrong codes delayed instead.
  'BLOCKED',
  'FAILED',
] as const;
export type SignerStatus = (typeof SIGNER_STATUSES)[number];

export const SIGNATURE_TYPES = ['AUTHENTICATED_SIGNATURE', 'ADVANCED_SIGNATURE'] as const;
export type SignatureType = (typeof SIGNATURE_TYPES)[number];

export const ON_BEHALF_OF = ['SELF', 'OTHER'] as const;
export type OnBehalfOf = (typeof ON_BEHALF_OF)[number];

export const IDENTIFIERS_IN_SIGNED_DOCUMENTS = [
  'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME',
  'DATE_OF_BIRTH_AND_NAME',
  'NAME',
] as const;
export type IdentifierInSignedDocuments = (typeof IDENTIFIERS_IN_SIGNED_DOCUMENTS)[number];

export const STATUS_RETRIEVAL_METHODS = ['WAIT_FOR_CALLBACK', 'POLLING'] as const;
export type StatusRetrievalMethod = (typeof STATUS_RETRIEVAL_METHODS)[number];

/** Languages of a portal signer's notices: Norwegian bokmål (the default) or English. */
export const NOTIFICATION_LANGUAGES = ['NB', 'EN'] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];
export const DEFAULT_NOTIFICATION_LANGUAGE: NotificationLanguage = 'NB';

export type AuthenticationLevel = 3 | 4;

/** The channels a signer is notified on (portal flow). */
export interface NotificationChannels {
  email: boolean;
  sms: boolean;
}

/**
 * What the workflow knows of a signer. Deliberately free of personal data (no identity number,
 * no e-mail address): workflow histories are visible to operators in the Temporal UI and are
 * kept in recorded test histories, so the person behind a signer stays in PostgreSQL.
 */
export interface WorkflowSigner {
  id: string;
  order: number;
  signatureType: SignatureType;
  onBehalfOf: OnBehalfOf;
  channels: NotificationChannels;
}

/** The input of the signature-job workflow: the validated job, without documents or personal data. */
export interface SignatureJobInput {
  jobId: string;
  org: string;
  flow: Flow;
  reference?: string;
  requiredAuthentication: AuthenticationLevel;
  signers: WorkflowSigner[];
  /** RFC 3339; portal only. Absent or in the past means at once. */
  activationTime?: string;
  /** Lifetime of each group from its own activation. Direct jobs: always 30 days. */
  availableSeconds: number;
  /** Long-term storage ordered: documents kept up to 50 years instead of 40 days. */
  longTermStorage: boolean;
}

export interface SignerState {
  id: string;
  order: number;
  status: SignerStatus;
  /** RFC 3339 time of the last status change. */
  since: string;
  /** Set on rejection. */
  rejectionReason?: string;
}

export interface GroupState {
  order: number;
  activatedAt?: string;
  deadline?: string;
}

/** What the `status` query returns: the whole state of the job. */
export interface SignatureJobState {
  jobId: string;
  org: string;
  flow: Flow;
  status: JobStatus;
  since: string;
  activated: boolean;
  activationTime?: string;
  /** Index into `groups` of the group that may sign now, if any. */
  activeGroup?: number;
  groups: GroupState[];
  signers: SignerState[];
  /** When the documents are (or were) deleted; set once the job has ended. */
  retentionUntil?: string;
  documentsDeleted: boolean;
  /** Why the job failed, when it did. */
  failureReason?:
    | 'REJECTED'
    | 'EXPIRED'
    | 'CANCELLED'
    | 'BLOCKED'
    | 'FAILED'
    | 'RESERVED'
    | 'CONTACT_INFORMATION_MISSING'
    | 'PACKAGING_FAILED';
}

export const DAY_SECONDS = 24 * 60 * 60;
/** Direct jobs always live 30 days. Portal default lifetime is also 30 days. */
export const DEFAULT_AVAILABLE_SECONDS = 30 * DAY_SECONDS;
/** At most 90 days after activation. */
export const MAX_AVAILABLE_SECONDS = 90 * DAY_SECONDS;
/** Signed documents are kept 40 days after the job ends, unless long-term storage was ordered. */
export const RETENTION_SECONDS = 40 * DAY_SECONDS;
/** Long-term storage: kept for up to 50 years. */
export const LONG_TERM_RETENTION_SECONDS = 50 * 365 * DAY_SECONDS;
export const MAX_SIGNERS = 10;
export const MAX_DOCUMENT_BYTES = 3_145_728;
export const MAX_TITLE_LENGTH = 80;
export const MAX_DESCRIPTION_LENGTH = 220;
export const MAX_REFERENCE_LENGTH = 50;

/** Temporal workflow id of a job: stable and derived, so a job id maps to exactly one workflow. */
export function workflowIdForJob(jobId: string): string {
  return `signature-job-${jobId}`;
}

export const TASK_QUEUE = 'signature-jobs';

export const SECTORS = ['PUBLIC', 'PRIVATE'] as const;
export type Sector = (typeof SECTORS)[number];

export const DOCUMENT_MIME_TYPES = ['application/pdf', 'text/plain'] as const;
export type DocumentMimeType = (typeof DOCUMENT_MIME_TYPES)[number];

/** A document as listed in the `job` part of a create request. */
export interface DocumentRequest {
  title: string;
  fileName: string;
  mimeType: DocumentMimeType;
}

/** A signer as given in a create request, after validation and defaults. */
export interface SignerRequest {
  /** Norwegian national identity number (fødselsnummer, D-number or synthetic test number). */
  personalIdentificationNumber?: string;
  /** Direct flow only: the sender's own identifier for a signer without identity number. */
  customIdentifier?: string;
  /** Portal flow only: a signer addressed by e-mail and/or mobile instead of identity number. */
  email?: string;
  mobile?: string;
  /** Portal only; 0 in the direct flow. */
  order: number;
  signatureType: SignatureType;
  onBehalfOf: OnBehalfOf;
  /** Portal only: where to send notices (for OTHER signers, private senders, or overriding). */
  notifications?: { email?: string; mobile?: string };
  /**
   * Portal only: the language of this signer's notices, the signer's own or else the job's
   * `notificationLanguage`. Absent when the sender chose neither: Norwegian.
   */
  language?: NotificationLanguage;
}

/** A create request after validation: every default filled in. */
export interface JobRequest {
  title: string;
  nonsensitiveTitle?: string;
  description?: string;
  reference?: string;
  pollingQueue?: string;
  documents: DocumentRequest[];
  signers: SignerRequest[];
  requiredAuthentication: AuthenticationLevel;
  identifierInSignedDocuments: IdentifierInSignedDocuments;
  /** Portal only. */
  availability?: { activationTime?: string; availableSeconds: number };
  /** Portal only: the language of the notices of signers without a `language` of their own. */
  notificationLanguage?: NotificationLanguage;
  /** Direct only (required there). */
  exitUrls?: { completionUrl: string; rejectionUrl: string; errorUrl: string };
  /** Direct only. */
  statusRetrievalMethod?: StatusRetrievalMethod;
  callbackUrl?: string;
  /** Extension: keep the signed documents up to 50 years, re-time-stamped. */
  longTermStorage: boolean;
}

/** One invalid field of a request: `path` in dotted/bracket form, e.g. `signers[1].email`. */
export interface FieldIssue {
  path: string;
  code: string;
  message: string;
}
