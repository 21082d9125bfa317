/**
 * Creating a signature job: store it with its signers and documents, then start its workflow. The
 * JSON API, the XML API and the sender portal all create through createSignatureJob, so no rule is
 * implemented twice; the stranded-job sweep starts a stored job through startStoredJob.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../workflows/definitions.js';
import type { Db } from '../db/index.js';
import { type JobRecord, newJobRecord, signerIdsOf, storedJobRequest } from '../db/job-reads.js';
import {
  deleteUnstartedJob,
  findByIdempotencyKey,
  markWorkflowStarted,
  storedJobToStart,
  storeNewJob,
} from '../db/jobs.js';
import {
  DEFAULT_AVAILABLE_SECONDS,
  DEFAULT_NOTIFICATION_LANGUAGE,
  type Flow,
  type JobRequest,
  type SignatureJobInput,
  type SignerRequest,
  TASK_QUEUE,
  workflowIdForJob,
} from '../job/model.js';
import {
  SENDER_ORGANIZATION,
  SIGNATURE_JOB_FLOW,
  SIGNATURE_JOB_REFERENCE,
  SIGNATURE_JOB_STATUS,
} from '../job/search-attributes.js';
import { callbackTargetRefusal, type PrivateTargetPolicy } from '../notifications/callbacks/target-guard.js';
import { type DocumentStore, documentKey, documentsFolder } from '../storage/index.js';
import { startPriority } from './fairness.js';
import { JobConflictError, JobInputError, type JobServiceDeps } from './job-service.js';

/** The same Idempotency-Key was used before with a different request. */
export class IdempotencyConflictError extends JobConflictError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
  }
}

export interface UploadedDocument {
  fileName: string;
  bytes: Uint8Array;
}

export interface CreateJobCommand {
  org: string;
  flow: Flow;
  job: JobRequest;
  /**
   * The `job` JSON as the sender sent it, for telling a retry from a misuse of an Idempotency-Key.
   * The validated `job` cannot serve: its defaults depend on the time of the request (an activation
   * time in the past becomes "now"), so an identical retry would look different.
   */
  requestJson?: unknown;
  /** The bytes of every document listed in `job.documents`, by file name. */
  files: Map<string, Uint8Array>;
  /** The pages of each PDF as inspection counted them, by file name (shown on the sender's page). */
  pageCounts?: Map<string, number>;
  idempotencyKey?: string;
  /**
   * Whether the sender ordered long-term storage for all its jobs, when the caller has read the
   * organisation already (the API reads it for its sector); looked up here otherwise.
   */
  senderOrdersLongTermStorage?: boolean;
}

export interface CreatedJob {
  jobId: string;
  /** False when an Idempotency-Key matched an earlier identical request. */
  created: boolean;
  /** The new job as stored (created only): the create's answer needs no read of it. */
  record?: JobRecord;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** JSON with object keys sorted, so the same request written in another key order hashes alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Fingerprint of a create request, for telling a retry from a misuse of an Idempotency-Key. */
export function requestHash(flow: Flow, requestJson: unknown, files: Map<string, Uint8Array>): string {
  const docs = [...files.entries()].map(([name, bytes]) => `${name}:${sha256(bytes)}`).sort();
  return sha256(canonicalJson({ flow, job: requestJson, docs }));
}

/**
 * Stores the job with its signers and documents, then starts its workflow. If the start fails the
 * stored rows are removed again, so a job exists only with a workflow behind it.
 */
export async function createSignatureJob(
  deps: JobServiceDeps & {
    storage: DocumentStore;
    /** Callback targets allowed beside public addresses, as at delivery; default 'none'. */
    allowPrivateCallbackTargets?: PrivateTargetPolicy;
  },
  cmd: CreateJobCommand,
): Promise<CreatedJob> {
  const hash = requestHash(cmd.flow, cmd.requestJson ?? cmd.job, cmd.files);
  if (cmd.idempotencyKey) {
    const earlier = await findByIdempotencyKey(deps.db, cmd.org, cmd.idempotencyKey);
    if (earlier) {
      if (earlier.request_hash !== hash) throw new IdempotencyConflictError();
      // The first attempt may have died between storing the job and starting its workflow.
      if (!earlier.workflow_started_at) await startStoredJob(deps, earlier.id);
      return { jobId: earlier.id, created: false };
    }
  }

  // The callback URL goes through the guard every delivery goes through, so one that will never
  // be called is refused now rather than found in a delivery log later.
  if (cmd.job.callbackUrl) {
    const refused = await callbackTargetRefusal(
      cmd.job.callbackUrl,
      deps.allowPrivateCallbackTargets ?? 'none',
    );
    if (refused)
      throw new JobInputError([{ path: 'callbackUrl', code: 'CALLBACK_TARGET_REFUSED', message: refused }]);
  }

  const jobId = randomUUID();
  const now = new Date();
  const signers = cmd.job.signers.map((s, position) => ({ id: randomUUID(), position, request: s }));
  const documents = cmd.job.documents.map((d, position) => ({
    id: randomUUID(),
    position,
    request: d,
    bytes: cmd.files.get(d.fileName)!,
  }));
  const signerRows = signers.map(({ id, position, request: s }) => ({
    id,
    position,
    signing_order: cmd.flow === 'portal' ? s.order : 0,
    personal_identification_number: s.personalIdentificationNumber ?? null,
    custom_identifier: s.customIdentifier ?? null,
    email: s.email ?? s.notifications?.email ?? null,
    mobile: s.mobile ?? s.notifications?.mobile ?? null,
    signature_type: s.signatureType,
    on_behalf_of: s.onBehalfOf,
    language: s.language ?? DEFAULT_NOTIFICATION_LANGUAGE,
    status_since: now,
  }));
  // A store in the application database writes the bytes in the statement that stores the rows.
  const rowFor = deps.storage.rowFor?.bind(deps.storage);
  const blobs = rowFor ? documents.map((d) => rowFor(documentKey(jobId, d.id), d.bytes)) : [];
  try {
    // A store elsewhere gets the bytes before the rows are committed: a job whose rows exist, even
    // one the stranded-job sweep starts later, always has its documents. The sender's standing
    // order is looked up meanwhile, not before.
    const [orderedBySender] = await Promise.all([
      cmd.job.longTermStorage
        ? false
        : (cmd.senderOrdersLongTermStorage ?? senderOrdersLongTermStorage(deps.db, cmd.org)),
      ...(rowFor ? [] : documents.map((d) => deps.storage.put(documentKey(jobId, d.id), d.bytes))),
    ]);
    // A sender may order long-term storage for all its jobs; the job then carries the order itself.
    if (orderedBySender === true) cmd = { ...cmd, job: { ...cmd.job, longTermStorage: true } };
    await storeNewJob(deps.db, {
      job: {
        id: jobId,
        org_number: cmd.org,
        flow: cmd.flow,
        status: 'IN_PROGRESS',
        title: cmd.job.title,
        reference: cmd.job.reference ?? null,
        polling_queue: cmd.job.pollingQueue ?? null,
        request: JSON.stringify(cmd.job),
        idempotency_key: cmd.idempotencyKey ?? null,
        request_hash: hash,
        created_at: now,
        updated_at: now,
      },
      signers: signerRows.map((s) => ({ ...s, job_id: jobId, status: 'WAITING' })),
      documents: documents.map(({ id, position, request: d, bytes }) => ({
        id,
        job_id: jobId,
        position,
        title: d.title,
        file_name: d.fileName,
        mime_type: d.mimeType,
        size_bytes: bytes.byteLength,
        page_count: cmd.pageCounts?.get(d.fileName) ?? null,
        sha256: sha256(bytes),
      })),
      blobs,
    });
  } catch (err) {
    // Nothing of this job was committed, so its bytes go again (the job id is new: no one else's
    // are under it). Best effort: a failed clean-up must not hide the error that matters.
    await deps.storage.deleteFolder(documentsFolder(jobId)).catch(() => undefined);
    // Two identical requests racing with one Idempotency-Key: the loser answers with the winner's job.
    if (cmd.idempotencyKey && isUniqueViolation(err)) {
      const earlier = await findByIdempotencyKey(deps.db, cmd.org, cmd.idempotencyKey);
      if (earlier && earlier.request_hash === hash) {
        if (!earlier.workflow_started_at) await startStoredJob(deps, earlier.id);
        return { jobId: earlier.id, created: false };
      }
      if (earlier) throw new IdempotencyConflictError();
    }
    throw err;
  }

  const input = workflowInputFor(
    { id: jobId, org_number: cmd.org, flow: cmd.flow },
    cmd.job,
    signers.map((s) => s.id),
  );
  try {
    await startWorkflow(deps, input, cmd.job.reference);
  } catch (err) {
    // The sender gets an error and will retry: without the rows that retry makes no second job.
    await deleteUnstartedJob(deps.db, jobId);
    await deps.storage.deleteFolder(documentsFolder(jobId));
    throw err;
  }
  // The 201 follows the start, so a job answered is known to have its workflow. The job is marked
  // started by its workflow's first recording (src/db/read-model.ts), in a write the worker makes
  // anyway, not by one more write here. Until then the stranded-job sweep leaves it alone for a
  // minute; a job still unmarked after that (its worker away) is started again by the sweep,
  // which finds the workflow running and marks it (startStoredJob).
  const record = newJobRecord({
    job: {
      id: jobId,
      org_number: cmd.org,
      flow: cmd.flow,
      title: cmd.job.title,
      reference: cmd.job.reference ?? null,
      created_at: now,
    },
    signers: signerRows,
    longTermStorage: cmd.job.longTermStorage,
  });
  return { jobId, created: true, record };
}

/** The workflow's input, from the stored job: the same for the first start and any later one. */
export function workflowInputFor(
  row: { id: string; org_number: string; flow: Flow },
  job: JobRequest,
  signerIds: string[],
): SignatureJobInput {
  return {
    jobId: row.id,
    org: row.org_number,
    flow: row.flow,
    ...(job.reference ? { reference: job.reference } : {}),
    requiredAuthentication: job.requiredAuthentication,
    signers: job.signers.map((s, position) => ({
      id: signerIds[position]!,
      order: row.flow === 'portal' ? s.order : 0,
      signatureType: s.signatureType,
      onBehalfOf: s.onBehalfOf,
      channels: channelsOf(s),
    })),
    ...(job.availability?.activationTime ? { activationTime: job.availability.activationTime } : {}),
    availableSeconds: job.availability?.availableSeconds ?? DEFAULT_AVAILABLE_SECONDS,
    longTermStorage: job.longTermStorage,
  };
}

/**
 * Starts a job's workflow. Safe to repeat: the workflow id is the job's, so a second start finds
 * the first one running. Exported for the create benchmark (bench/api/create-jobs.ts), whose
 * yardstick is this call alone.
 */
export async function startWorkflow(deps: JobServiceDeps, input: SignatureJobInput, reference?: string) {
  // The sender as fairness key, with its weight (docs/scaling.md).
  const priority = await startPriority(deps.db, input.org);
  try {
    await deps.temporal.workflow.start(WORKFLOW_TYPE, {
      taskQueue: deps.taskQueue ?? TASK_QUEUE,
      ...(priority ? { priority } : {}),
      workflowId: workflowIdForJob(input.jobId),
      args: [input],
      typedSearchAttributes: [
        { key: SENDER_ORGANIZATION, value: input.org },
        { key: SIGNATURE_JOB_FLOW, value: input.flow },
        { key: SIGNATURE_JOB_STATUS, value: 'IN_PROGRESS' },
        ...(reference ? [{ key: SIGNATURE_JOB_REFERENCE, value: reference }] : []),
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Starts a stored job's workflow and marks it started (safe to repeat, as startWorkflow). */
async function startJobWorkflow(deps: JobServiceDeps, input: SignatureJobInput, reference?: string) {
  await startWorkflow(deps, input, reference);
  await markWorkflowStarted(deps.db, input.jobId);
}

/** Starts the workflow of a job that was stored but whose creator died before starting it. */
export async function startStoredJob(deps: JobServiceDeps, jobId: string): Promise<void> {
  const row = await storedJobToStart(deps.db, jobId);
  const job = storedJobRequest(row.request);
  await startJobWorkflow(deps, workflowInputFor(row, job, await signerIdsOf(deps.db, jobId)), job.reference);
}

/** Portal signers are notified by e-mail and/or SMS, wherever their contact details come from. */
function channelsOf(s: SignerRequest) {
  return {
    email: Boolean(s.email ?? s.notifications?.email) || (!s.mobile && !s.notifications?.mobile),
    sms: Boolean(s.mobile ?? s.notifications?.mobile),
  };
}

async function senderOrdersLongTermStorage(db: Db, org: string): Promise<boolean> {
  const row = await db
    .selectFrom('organisations')
    .select('long_term_storage')
    .where('org_number', '=', org)
    .executeTakeFirst();
  return row?.long_term_storage ?? false;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
