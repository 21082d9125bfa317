/**
 * What happens to a signature job, as the workflow's state machine (workflows/job-state.ts)
 * reports it: each event is recorded in the audit trail and mirrored into the read model.
 */
import type { JobStatus, SignatureJobState, SignerStatus } from './model.js';

export type JobEvent =
  | { type: 'JOB_CREATED'; at: string }
  | { type: 'JOB_ACTIVATED'; at: string }
  | { type: 'GROUP_ACTIVATED'; at: string; group: number; deadline: string; signerIds: string[] }
  | { type: 'DEADLINE_EXTENDED'; at: string; group: number; deadline: string }
  | { type: 'SIGNER_STATUS'; at: string; signerId: string; status: SignerStatus; reason?: string }
  | { type: 'JOB_STATUS'; at: string; status: JobStatus; reason?: SignatureJobState['failureReason'] }
  | { type: 'DOCUMENTS_DELETED'; at: string };
