/**
 * Signature jobs as a service: create, read and act on jobs. The API, the portals and the
 * development endpoints all go through these functions, so no rule is implemented twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  cancelUpdate,
  deleteDocumentsUpdate,
  extendDeadlineUpdate,
  rejectUpdate,
  type SignArgs,
  type SignerFailedArgs,
  signerFailedUpdate,
  signUpdate,
  WORKFLOW_TYPE,
} from '../../workflows/definitions.js';
import { deleteArchivedJob } from '../archive/index.js';
import type { Db } from '../db/index.js';
import {
  findOwnedJobRow,
  type JobRecord,
  readActiveGroup,
  readOrganisationJob,
  readOwnedJob,
  readSignerJob,
  signerIdsOf,
  storedJobRequest,
} from '../db/job-reads.js';
import {
  deleteUnstartedJob,
  findByIdempotencyKey,
  markWorkflowStarted,
  storedJobToStart,
  storeNewJob,
} from '../db/jobs.js';

export { type JobRecord, signerIdentifier } from '../db/job-reads.js';

import { deleteEndedJobDocuments } from '../archive/ended-job-documents.js';
import {
  DEFAULT_AVAILABLE_SECONDS,
  DEFAULT_NOTIFICATION_LANGUAGE,
  type FieldIssue,
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
import { type ExtensionRefusal, extensionRefusal } from '../rules/deadline-extension.js';
import { toStorableText } from '../rules/storable-text.js';
import { type DocumentStore, documentKey, documentsFolder } from '../storage/index.js';
import { startPriority } from './fairness.js';

export interface JobServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue?: string;
}

/** The job does not exist, or belongs to another organisation (indistinguishable on purpose). */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super('no such signature job');
    this.name = 'JobNotFoundError';
  }
}

/** The action is not allowed in the job's current state (the API's 409). */
export class JobConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobConflictError';
  }
}

/** The job is well-formed but refused by a rule that looks outside it (the API's 400, naming each field). */
export class JobInputError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'JobInputError';
  }
}

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
}

export interface CreatedJob {
  jobId: string;
  /** False when an Idempotency-Key matched an earlier identical request. */
  created: boolean;
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
  try {
    // The bytes are stored before the rows are committed, and outside the transaction (a PostgreSQL
    // store would otherwise wait for a second pool connection while holding one): a job whose rows
    // exist, even one the stranded-job sweep starts later, always has its documents.
    // The sender's standing order is looked up while they are stored, not before.
    const [orderedBySender] = await Promise.all([
      cmd.job.longTermStorage ? false : senderOrdersLongTermStorage(deps.db, cmd.org),
      ...documents.map((d) => deps.storage.put(documentKey(jobId, d.id), d.bytes)),
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
        updated_at: now,
      },
      signers: signers.map(({ id, position, request: s }) => ({
        id,
        job_id: jobId,
        position,
        signing_order: cmd.flow === 'portal' ? s.order : 0,
        personal_identification_number: s.personalIdentificationNumber ?? null,
        custom_identifier: s.customIdentifier ?? null,
        email: s.email ?? s.notifications?.email ?? null,
        mobile: s.mobile ?? s.notifications?.mobile ?? null,
        signature_type: s.signatureType,
        on_behalf_of: s.onBehalfOf,
        language: s.language ?? DEFAULT_NOTIFICATION_LANGUAGE,
        status: 'WAITING',
        status_since: now,
      })),
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
    await startJobWorkflow(deps, input, cmd.job.reference);
  } catch (err) {
    // The sender gets an error and will retry: without the rows that retry makes no second job.
    await deleteUnstartedJob(deps.db, jobId);
    await deps.storage.deleteFolder(documentsFolder(jobId));
    throw err;
  }
  return { jobId, created: true };
}

/** The workflow's input, from the stored job: the same for the first start and any later one. */
function workflowInputFor(
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
 * Starts a stored job's workflow and marks it started. Safe to repeat: the workflow id is the
 * job's, so a second start finds the first one running.
 */
async function startJobWorkflow(deps: JobServiceDeps, input: SignatureJobInput, reference?: string) {
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

/**
 * The stored row of a job of `org` in `flow`: the check every sender endpoint makes first.
 * JobNotFoundError for any other job, so other organisations' jobs stay invisible.
 */
export async function findOwnedJob(db: Db, org: string, flow: Flow | 'any', jobId: string) {
  const row = await findOwnedJobRow(db, org, flow, jobId);
  if (!row) throw new JobNotFoundError(jobId);
  return row;
}

/**
 * A job of `org` in `flow` as PostgreSQL records it (the one read model, src/db/job-reads.ts);
 * JobNotFoundError for any other job. Asks no workflow: it answers with every worker stopped.
 */
export async function getSignatureJob(
  deps: Pick<JobServiceDeps, 'db'>,
  org: string,
  flow: Flow,
  jobId: string,
): Promise<JobRecord> {
  const rec = await readOwnedJob(deps.db, org, flow, jobId);
  if (!rec) throw new JobNotFoundError(jobId);
  return rec;
}

/**
 * A job of `org` whatever its flow and whichever API created it (the sender portal's view);
 * JobNotFoundError for any other job.
 */
export async function getOrganisationJob(deps: Pick<JobServiceDeps, 'db'>, org: string, jobId: string) {
  const rec = await readOrganisationJob(deps.db, org, jobId);
  if (!rec) throw new JobNotFoundError(jobId);
  return rec;
}

/** Runs a workflow update, turning a validator's refusal into a JobConflictError. */
async function runUpdate<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new JobConflictError(err.cause.type ?? 'CONFLICT', err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new JobConflictError('JOB_ENDED', 'the job has ended and its workflow is closed');
    }
    throw err;
  }
}

function handleOf(deps: JobServiceDeps, jobId: string) {
  return deps.temporal.workflow.getHandle(workflowIdForJob(jobId));
}

export async function signAsSigner(deps: JobServiceDeps, jobId: string, args: SignArgs) {
  return runUpdate(() => handleOf(deps, jobId).executeUpdate(signUpdate, { args: [args] }));
}

/** The reason goes into the audit trail: made storable here whatever page or endpoint passed it. */
export async function rejectAsSigner(deps: JobServiceDeps, jobId: string, signerId: string, reason?: string) {
  return runUpdate(() =>
    handleOf(deps, jobId).executeUpdate(rejectUpdate, {
      args: [{ signerId, ...(reason ? { reason: toStorableText(reason) } : {}) }],
    }),
  );
}

/** The signer can no longer act (FAILED: the direct flow's ceremony failed): ends the job like a rejection. */
export async function failSigner(deps: JobServiceDeps, jobId: string, args: SignerFailedArgs) {
  return runUpdate(() => handleOf(deps, jobId).executeUpdate(signerFailedUpdate, { args: [args] }));
}

export async function cancelJob(deps: JobServiceDeps, jobId: string) {
  return runUpdate(() => handleOf(deps, jobId).executeUpdate(cancelUpdate));
}

/** A new lifetime that would move the deadline earlier (src/rules/deadline-extension.ts). */
export class DeadlineRefusedError extends JobConflictError {
  readonly currentDeadline: string;
  readonly requestedDeadline: string;
  constructor(refusal: ExtensionRefusal) {
    super(refusal.code, refusal.message);
    this.currentDeadline = refusal.currentDeadline;
    this.requestedDeadline = refusal.requestedDeadline;
  }
}

/**
 * Gives the active group a new lifetime from its activation. One that would end before the
 * current deadline is refused here (DeadlineRefusedError, naming both deadlines) from the read
 * model, and by the workflow's validator from its own state should an extension race this one.
 */
export async function extendDeadline(deps: JobServiceDeps, jobId: string, availableSeconds: number) {
  const group = await readActiveGroup(deps.db, jobId);
  const refusal = group && extensionRefusal({ ...group, availableSeconds });
  if (refusal) throw new DeadlineRefusedError(refusal);
  return runUpdate(() =>
    handleOf(deps, jobId).executeUpdate(extendDeadlineUpdate, { args: [{ availableSeconds }] }),
  );
}

/**
 * The sender deletes an ended job's documents before their retention deadline. A job's workflow
 * started before `ends-with-job-v1` still holds them and deletes them itself; since then the
 * workflow ends with the job (the update is refused, JOB_ENDED), and they are deleted here: by the
 * archive for a long-term job handed to it, else at once (JOB_ENDED when they are gone already).
 */
export async function deleteJobDocuments(deps: JobServiceDeps & { storage: DocumentStore }, jobId: string) {
  try {
    await runUpdate(() => handleOf(deps, jobId).executeUpdate(deleteDocumentsUpdate));
  } catch (err) {
    const closed = err instanceof JobConflictError && err.code === 'JOB_ENDED';
    if (closed && (await deleteArchivedJob(deps, jobId, new Date()))) return;
    if (closed && (await deleteEndedJobDocuments(deps, jobId, new Date(), 'sender'))) return;
    throw err;
  }
}

/** The job a signer belongs to, without an organisation check (signer-facing paths). */
export async function findSignerJob(db: Db, jobId: string, signerId: string) {
  const row = await readSignerJob(db, jobId, signerId);
  return row && { jobId: row.jobId, org: row.org, flow: row.flow, signerId: row.signerId };
}

export { findArtifact } from '../signatures/artifacts.js';
