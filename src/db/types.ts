/**
 * Kysely table types: what PostgreSQL holds beside the workflow histories (documents, results,
 * the status-change queue, the audit trail, keys). Columns are snake_case as in the database.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

export interface OrganisationsTable {
  org_number: string;
  name: string;
  sector: 'PUBLIC' | 'PRIVATE';
  created_at: CreatedAt;
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
  /** The last status-change sequence number the workflow recorded (makes recording idempotent). */
  last_event_seq: ColumnType<number, number | undefined, number>;
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
}

export interface DocumentsTable {
  id: string;
  job_id: string;
  position: number;
  title: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  /** Null once deleted (retention or the sender's request). */
  content: Buffer | null;
  deleted_at: Timestamp | null;
}

export interface ArtifactsTable {
  id: Generated<string>;
  job_id: string;
  /** '' for job-level artifacts (the PAdES); a signer id for that signer's XAdES. */
  signer_id: string;
  kind: 'XADES' | 'PADES';
  content: Buffer | null;
  sha256: string;
  created_at: CreatedAt;
  deleted_at: Timestamp | null;
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

export interface Database {
  organisations: OrganisationsTable;
  api_keys: ApiKeysTable;
  signature_jobs: SignatureJobsTable;
  signers: SignersTable;
  documents: DocumentsTable;
  artifacts: ArtifactsTable;
  status_changes: StatusChangesTable;
  audit_events: AuditEventsTable;
  notices: NoticesTable;
}

export type SignatureJobRow = Selectable<SignatureJobsTable>;
export type SignerRow = Selectable<SignersTable>;
export type NewSigner = Insertable<SignersTable>;
export type NewDocument = Insertable<DocumentsTable>;
