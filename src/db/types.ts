/**
 * Kysely table types: what PostgreSQL holds beside the workflow histories (documents, results,
 * the status-change queue, the audit trail, keys). Columns are snake_case as in the database.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Migration 0015: a sender-portal form's files, kept for its session while the mistakes are put right. */
export interface KeptUploadsTable {
  id: string;
  session_tag: string;
  org_number: string;
  file_name: string;
  mime_type: string;
  content: Buffer;
  expires_at: Timestamp;
}

export interface OrganisationsTable {
  org_number: string;
  name: string;
  sector: 'PUBLIC' | 'PRIVATE';
  created_at: CreatedAt;
  /** Where sender notices (status changes, deadlines, expiring documents) go; none when null. */
  notice_email: ColumnType<string | null, string | null | undefined, string | null>;
  notice_locale: ColumnType<string, string | undefined, string>;
  /** Long-term storage ordered for every job of the sender (a job can also order it itself). */
  long_term_storage: ColumnType<boolean, boolean | undefined, boolean>;
  /** Migration 0032: the sender's fairness weight on the task queue (docs/scaling.md). */
  fairness_weight: ColumnType<number, number | undefined, number>;
  /** Migration 0034: the sender API's requests per second for this sender; null: the default, 0: none. */
  rate_limit_per_second: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Migration 0009: jobs kept in long-term storage, with their time-stamp renewal schedule. */
export interface LongTermArchivesTable {
  job_id: string;
  org_number: string;
  /** When the signed PAdES was stored: long-term storage and its billed years start here. */
  stored_at: Timestamp;
  /** The newest document time-stamp in the PAdES. */
  last_time_stamp_at: Timestamp;
  next_renewal_at: Timestamp;
  renewals: ColumnType<number, number | undefined, number>;
  /** Storage years billed so far (each year begun is billed once). */
  storage_years_billed: ColumnType<number, number | undefined, number>;
  /** Stored up to 50 years. */
  delete_after: Timestamp;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ApiKeysTable {
  id: string;
  org_number: string;
  /** SHA-256 of the key, hex. The key itself is shown once at creation and never stored. */
  key_hash: string;
  label: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface SignatureJobsTable {
  id: string;
  org_number: string;
  flow: 'direct' | 'portal';
  status: 'IN_PROGRESS' | 'COMPLETED_SUCCESSFULLY' | 'FAILED';
  title: string;
  reference: string | null;
  polling_queue: string | null;
  /** The validated create request (JobRequest), documents' bytes excluded. */
  request: Json<unknown>;
  idempotency_key: string | null;
  /** SHA-256 of the create request (job JSON and documents), to tell a retry from a misuse of a key. */
  request_hash: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** When the sender (or a portal user) first downloaded the signed results. */
  results_downloaded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The last status-change sequence number the workflow recorded (makes recording idempotent). */
  last_event_seq: ColumnType<number, number | undefined, number>;
  /** When the job's workflow was started; null in the moment between storing and starting. */
  workflow_started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  // Migration 0012: the rest of the read model, recorded by the workflow's recording activity.
  /** When the job got its current status. */
  status_since: NullableTimestamp;
  activated_at: NullableTimestamp;
  /** Index of the group that may sign now, and that group's signing order; null when none. */
  active_group: ColumnType<number | null, number | null | undefined, number | null>;
  active_signing_order: ColumnType<number | null, number | null | undefined, number | null>;
  /** The active group's deadline. */
  deadline: NullableTimestamp;
  failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** Until when the documents are kept (set when the job ends); the archive's for long-term jobs. */
  retention_until: NullableTimestamp;
  documents_deleted_at: NullableTimestamp;
  /** Migration 0014: the job's id in the XML API (xs:long), from a sequence; bigint as text. */
  numeric_id: ColumnType<string, never, never>;
  /** Migration 0022: how the job ended, named apart (src/rules/outcome.ts); IN_PROGRESS until then. */
  outcome: ColumnType<string, string | undefined, string>;
  /** Migration 0022: when the group that may sign now was activated; null when none may. */
  group_activated_at: NullableTimestamp;
}

/** Migration 0014: organisations a sender lets send jobs in its name over the XML API. */
export interface BrokerAuthorisationsTable {
  org_number: string;
  broker_org_number: string;
  created_at: CreatedAt;
}

export interface SignersTable {
  id: string;
  job_id: string;
  /** Index in the create request, so answers list signers in the sender's order. */
  position: number;
  signing_order: number;
  personal_identification_number: string | null;
  custom_identifier: string | null;
  email: string | null;
  mobile: string | null;
  signature_type: string;
  on_behalf_of: string;
  status: string;
  status_since: Timestamp;
  /** The signer's name as their eID login gave it; set when they sign. */
  name: ColumnType<string | null, string | null | undefined, string | null>;
  signed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  authenticated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  authentication_level: ColumnType<number | null, number | null | undefined, number | null>;
  eid_provider: ColumnType<string | null, string | null | undefined, string | null>;
  /** The remote signing service that made an advanced signature (SIGNING_KEYS=csc), e.g. BankID. */
  signing_provider: ColumnType<string | null, string | null | undefined, string | null>;
  /** The language of the signer's notices: NB (default) or EN; the signer may change it. */
  language: ColumnType<string, string | undefined, string>;
  /** Migration 0022: the reason the signer gave when rejecting, if any. */
  rejection_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DocumentsTable {
  id: string;
  job_id: string;
  position: number;
  title: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  /** Migration 0029: the PDF's pages as inspection counted them at creation; null for text and older jobs. */
  page_count: ColumnType<number | null, number | null | undefined, number | null>;
  /** Of the bytes, which live in the document store under `documentKey(job_id, id)`. */
  sha256: string;
  /** Set when the bytes were deleted from the store (retention or the sender's request). */
  deleted_at: Timestamp | null;
  /**
   * Migration 0020: why the document's PDF/A claim was not kept when the job was packaged (the
   * signed PDF is then plain PDF 1.7); null when it made none, the claim held, or not packaged yet.
   */
  pdfa_not_kept: ColumnType<string[] | null, string | null | undefined, string | null>;
}

export interface ArtifactsTable {
  id: Generated<string>;
  job_id: string;
  /** '' for job-level artifacts (the PAdES); a signer id for that signer's XAdES. */
  signer_id: string;
  kind: 'XADES' | 'PADES';
  /** Of the bytes, which live in the document store under `artifactKey(...)` (src/storage/keys.ts). */
  sha256: string;
  created_at: CreatedAt;
  deleted_at: Timestamp | null;
}

/** The PostgreSQL document store's bytes (src/storage/postgres.ts), by store key. */
export interface BlobsTable {
  key: string;
  content: Buffer;
  sha256: string;
  size: number;
  created_at: CreatedAt;
}

export interface StatusChangesTable {
  id: Generated<string>;
  job_id: string;
  org_number: string;
  flow: 'direct' | 'portal';
  /** '' is the default queue; named queues keep separate applications of one sender apart. */
  polling_queue: string;
  seq: number;
  job_status: string;
  payload: Json<unknown>;
  created_at: CreatedAt;
  /** Taken by a poller and hidden until then; reappears if not confirmed by this time. */
  invisible_until: Timestamp | null;
  confirmed_at: Timestamp | null;
}

export interface AuditEventsTable {
  id: Generated<string>;
  job_id: string;
  /** Makes recording idempotent: a retried activity writes the same key again and is ignored. */
  idempotency_key: string;
  at: Timestamp;
  actor: string;
  event: string;
  details: Json<unknown>;
}

export interface NoticesTable {
  id: Generated<string>;
  job_id: string;
  signer_id: string;
  /** Stable key of the notice within the job and signer: sent at most once. */
  notice_key: string;
  channel: 'EMAIL' | 'SMS';
  kind: string;
  planned_at: Timestamp;
  sent_at: Timestamp;
}

/** Migration 0003: a per-organisation secret for signing callbacks (two active during rotation). */
export interface CallbackSecretsTable {
  id: Generated<string>;
  org_number: string;
  secret: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

/** One attempt to deliver one status change to the sender's callback URL. */
export interface CallbackDeliveriesTable {
  id: Generated<string>;
  job_id: string;
  change_seq: number;
  idempotency_key: string;
  url: string;
  attempt: number;
  /** Null when no response came (refused target, timeout, connection error). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: Timestamp;
}

/** The signed copy for one SELF signer: delivered to the digital mailbox, or offered for 7 days. */
export interface MailboxForwardsTable {
  job_id: string;
  signer_id: string;
  status: 'PENDING' | 'DELIVERED' | 'EXPIRED';
  offered_until: Timestamp;
  delivered_at: Timestamp | null;
  created_at: CreatedAt;
}

/** Development SMS gateway: every message "sent", once per idempotency key. */
export interface DevSmsTable {
  id: Generated<string>;
  idempotency_key: string;
  to_number: string;
  text: string;
  created_at: CreatedAt;
}

/** Development contact and reservation register (KRR): synthetic test people only. */
export interface DevContactRegisterTable {
  pid: string;
  name: string;
  email: string | null;
  mobile: string | null;
  reserved: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface DevMailboxAccountsTable {
  pid: string;
  created_at: CreatedAt;
}

export interface DevMailboxMessagesTable {
  id: Generated<string>;
  idempotency_key: string;
  pid: string;
  job_id: string;
  file_name: string;
  pdf: Buffer;
  sha256: string;
  delivered_at: CreatedAt;
}

/** The direct flow's one-time signer links and status query tokens; only their hashes are kept. */
export interface SignerTokensTable {
  token_hash: string;
  kind: 'REDIRECT' | 'STATUS_QUERY';
  job_id: string;
  signer_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  /** A redirect token is spent when the signer opens the ceremony. */
  used_at: Timestamp | null;
  /** Replaced by a newer redirect token. */
  revoked_at: Timestamp | null;
}

/** When a sender may next poll an empty status queue (per organisation, flow and named queue). */
export interface StatusQueuePollsTable {
  org_number: string;
  flow: 'direct' | 'portal';
  polling_queue: string;
  next_permitted_at: Timestamp;
}

/** Migration 0005: one billable event, priced when recorded (integer øre; see src/billing). */
export interface UsageEventsTable {
  id: Generated<string>;
  org_number: string;
  /** Null for the organisation's one-off prices. */
  job_id: string | null;
  kind: string;
  quantity: number;
  unit_price_ore: number;
  /** bigint: read as a string by pg; quantity × unit price, checked by the database. */
  amount_ore: ColumnType<string, number | bigint | string, never>;
  currency: string;
  occurred_at: Timestamp;
  recorded_at: CreatedAt;
  idempotency_key: string;
  /** The remote signing service of an advanced signature's add-on, priced per provider. */
  provider: ColumnType<string | null, string | null | undefined, never>;
}

/** Fixed-window request counters of the sender API, and the block that follows a breach. */
export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  hits: number;
  blocked_until: Timestamp | null;
}

/** Migration 0006: a browser session of the ceremony or a portal (cookie value stored hashed). */
export interface PortalSessionsTable {
  token_hash: string;
  csrf_token: string;
  pid: string | null;
  name: string | null;
  auth_level: number | null;
  authenticated_at: Timestamp | null;
  eid_provider: string | null;
  grants: Json<unknown>;
  /** What the provider said of the login: acr, amr, sid, and the id_token for logging out. */
  login: Json<unknown> | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** Secrets every API process shares (the login-transaction cookie's key), made on first use. */
export interface ServiceSecretsTable {
  name: string;
  secret: Buffer;
  created_at: CreatedAt;
}

/** A person's role in a sender organisation's portal. */
export interface PortalRolesTable {
  pid: string;
  org_number: string;
  role: 'SENDER' | 'VIEWER';
  created_at: CreatedAt;
}

/** A portal signer's unique link (by e-mail/mobile) and its one-time code, both kept only hashed. */
export interface SignerLinksTable {
  token_hash: string;
  job_id: string;
  signer_id: string;
  /** Null until a code is sent (and always for a link whose code channel is NONE). */
  code_hmac: string | null;
  /** Where the code goes: the other channel than the link's, NONE, or NOTICE (links of old). */
  code_channel: 'SMS' | 'EMAIL' | 'NONE' | 'NOTICE';
  codes_sent: ColumnType<number, number | undefined, number>;
  code_sent_at: NullableTimestamp;
  /** Wrong codes: no code is checked before this time. */
  next_try_at: NullableTimestamp;
  failed_attempts: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** The test eID's signing key and certificate of one person (development and tests only). */
export interface EidTestKeysTable {
  pid_hash: string;
  certificate_pem: string;
  private_key_pem: string;
  not_after: Timestamp;
  created_at: CreatedAt;
}

/** An advanced signature waiting for the person's approval at a remote signing service. */
export interface RemoteSigningsTable {
  state_hash: string;
  job_id: string;
  signer_id: string;
  session_tag: string;
  provider: string;
  credential_id: string;
  /** The signing certificate, then its issuer chain. */
  certificates_pem: string;
  prepared_xml: string;
  digest_hex: string;
  code_verifier: string;
  signed_at: Timestamp;
  expires_at: Timestamp;
}

export interface Database {
  organisations: OrganisationsTable;
  long_term_archives: LongTermArchivesTable;
  api_keys: ApiKeysTable;
  signature_jobs: SignatureJobsTable;
  signers: SignersTable;
  documents: DocumentsTable;
  artifacts: ArtifactsTable;
  blobs: BlobsTable;
  status_changes: StatusChangesTable;
  audit_events: AuditEventsTable;
  notices: NoticesTable;
  signer_tokens: SignerTokensTable;
  status_queue_polls: StatusQueuePollsTable;
  rate_limits: RateLimitsTable;
  callback_secrets: CallbackSecretsTable;
  callback_deliveries: CallbackDeliveriesTable;
  mailbox_forwards: MailboxForwardsTable;
  dev_sms: DevSmsTable;
  dev_contact_register: DevContactRegisterTable;
  dev_mailbox_accounts: DevMailboxAccountsTable;
  dev_mailbox_messages: DevMailboxMessagesTable;
  usage_events: UsageEventsTable;
  portal_sessions: PortalSessionsTable;
  portal_roles: PortalRolesTable;
  signer_links: SignerLinksTable;
  eid_test_keys: EidTestKeysTable;
  service_secrets: ServiceSecretsTable;
  kept_uploads: KeptUploadsTable;
  broker_authorisations: BrokerAuthorisationsTable;
  remote_signings: RemoteSigningsTable;
}

export type SignatureJobRow = Selectable<SignatureJobsTable>;
export type SignerRow = Selectable<SignersTable>;
export type NewSigner = Insertable<SignersTable>;
export type NewDocument = Insertable<DocumentsTable>;
