/**
 * The one read model of signature jobs: every read of a job, its signers, statuses, deadlines
 * and links (sender API, status queue, both portals, the ceremony, the development endpoints)
 * comes from PostgreSQL through this module. The workflow is the one writer: its recording
 * activity keeps these rows current (activities/index.ts, `recordEvents`), and a sign, reject,
 * cancel or extend returns only once its effect is recorded, so a read right after it sees it.
 * No read asks a workflow: reads work with every worker stopped and never replay a history.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type {
  Flow,
  JobRequest,
  JobStatus,
  NotificationLanguage,
  SignatureJobState,
  SignerStatus,
} from '../job/model.js';
import { type NextStep, type NextStepInput, nextStep } from '../rules/next-step.js';
import { JOB_OUTCOMES, type JobOutcome } from '../rules/outcome.js';
import type { SignerFacts } from '../rules/signer-history.js';
import { isStorableText } from '../rules/storable-text.js';
import { decodeAuditDetails, NOTICE_CHANNELS_EVENT, signerActor } from './audit.js';
import type { Db } from './index.js';

/**
 * The stored create request (`signature_jobs.request`, jsonb): the validated JobRequest. Parsed
 * here, and only here, for the fields reads rely on; the rest passes through unchanged.
 */
const storedRequestSchema = z
  .object({
    nonsensitiveTitle: z.string().optional(),
    description: z.string().optional(),
    reference: z.string().optional(),
    requiredAuthentication: z.union([z.literal(3), z.literal(4)]).default(4),
    longTermStorage: z.boolean().default(false),
    callbackUrl: z.string().optional(),
    statusRetrievalMethod: z.string().optional(),
    exitUrls: z
      .object({ completionUrl: z.string(), rejectionUrl: z.string(), errorUrl: z.string() })
      .optional(),
  })
  .passthrough();

/** The job's stored create request; throws if the column does not hold one (a corrupt row). */
export function storedJobRequest(raw: unknown): JobRequest {
  const value = typeof raw === 'string' ? JSON.parse(raw) : raw;
  return storedRequestSchema.parse(value) as unknown as JobRequest;
}

/**
 * Ids come from URLs, so they can be anything; what no id of ours can be (too long, or text
 * PostgreSQL cannot even compare) matches nothing and is not sent to the database.
 */
export function isPlausibleId(id: string): boolean {
  return id.length > 0 && id.length <= 200 && isStorableText(id);
}

/** How the sender addressed a signer: the identity shown back to it in every answer. */
export function signerIdentifier(s: {
  personal_identification_number: string | null;
  custom_identifier: string | null;
  email: string | null;
  mobile: string | null;
}): string {
  return s.personal_identification_number ?? s.custom_identifier ?? s.email ?? s.mobile ?? '';
}

export interface JobRecord {
  job: {
    id: string;
    org: string;
    flow: Flow;
    title: string;
    reference: string | null;
    createdAt: Date;
    status: JobStatus;
    /** How the job stands, named apart (src/rules/outcome.ts), as recorded with its status. */
    outcome: JobOutcome;
    /** When the job got its status. */
    since: Date;
    activated: boolean;
    /** The active group's deadline; null when no group may sign. */
    deadline: Date | null;
    /** When the group that may sign now was activated (a new lifetime counts from it); null when none may. */
    groupActivatedAt: Date | null;
    /** The signing order of the group that may sign now; null when none may. */
    activeOrder: number | null;
    failureReason: SignatureJobState['failureReason'] | null;
    /** Until when the documents are kept (ended jobs; long-term ones: the archive's date). */
    retentionUntil: Date | null;
    documentsDeleted: boolean;
    longTermStorage: boolean;
  };
  signers: {
    id: string;
    order: number;
    identifier: string;
    status: SignerStatus;
    since: Date;
    /** The language of the signer's notices (portal): as the sender chose it, or the signer since. */
    language: NotificationLanguage;
    /** The reason the signer gave when rejecting; null if none (or not rejected). */
    rejectionReason: string | null;
  }[];
  hasPades: boolean;
  xadesSignerIds: Set<string>;
  /** What the job waits for next (src/rules/next-step.ts): the same on every screen and in the API. */
  next: NextStep;
  /**
   * Documents that claimed PDF/A but were not, as packaging found (the signed PDF is then plain
   * PDF 1.7), in document order, with why.
   */
  pdfANotKept: { title: string; fileName: string; problems: string[] }[];
}

const jobColumns = [
  'signature_jobs.id',
  'signature_jobs.org_number',
  'signature_jobs.flow',
  'signature_jobs.title',
  'signature_jobs.reference',
  'signature_jobs.created_at',
  'signature_jobs.status',
  'signature_jobs.outcome',
  'signature_jobs.status_since',
  'signature_jobs.activated_at',
  'signature_jobs.deadline',
  'signature_jobs.group_activated_at',
  'signature_jobs.active_signing_order',
  'signature_jobs.failure_reason',
  'signature_jobs.retention_until',
  'signature_jobs.documents_deleted_at',
  'signature_jobs.request',
  'long_term_archives.delete_after',
] as const;

/**
 * A job of `org` in `flow` with its signers and results; undefined for any other job (other
 * organisations' jobs are indistinguishable from missing ones).
 */
export function readOwnedJob(db: Db, org: string, flow: Flow, jobId: string): Promise<JobRecord | undefined> {
  return readJob(db, jobId, { org, flow });
}

/**
 * A job of `org` whatever its flow and whichever API created it (the sender portal shows them
 * all); undefined for any other organisation's job.
 */
export function readOrganisationJob(db: Db, org: string, jobId: string): Promise<JobRecord | undefined> {
  return readJob(db, jobId, { org });
}

/** A job by id, of any organisation unless `owner` is given (operators: the CLI). */
export async function readJob(
  db: Db,
  jobId: string,
  owner?: { org: string; flow?: Flow },
): Promise<JobRecord | undefined> {
  if (!isPlausibleId(jobId)) return undefined;
  let query = db
    .selectFrom('signature_jobs')
    .leftJoin('long_term_archives', (j) =>
      j
        .onRef('long_term_archives.job_id', '=', 'signature_jobs.id')
        .on('long_term_archives.deleted_at', 'is', null),
    )
    .select(jobColumns)
    .where('signature_jobs.id', '=', jobId);
  if (owner) query = query.where('signature_jobs.org_number', '=', owner.org);
  if (owner?.flow) query = query.where('signature_jobs.flow', '=', owner.flow);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const [signerRows, artifacts, pdfANotKept, next] = await Promise.all([
    db.selectFrom('signers').selectAll().where('job_id', '=', jobId).orderBy('position').execute(),
    liveArtifacts(db, jobId),
    db
      .selectFrom('documents')
      .select(['title', 'file_name', 'pdfa_not_kept'])
      .where('job_id', '=', jobId)
      .where('pdfa_not_kept', 'is not', null)
      .orderBy('position')
      .execute(),
    readNextStep(db, jobId),
  ]);
  const request = storedJobRequest(row.request);
  return {
    job: {
      id: row.id,
      org: row.org_number,
      flow: row.flow,
      title: row.title,
      reference: row.reference,
      createdAt: row.created_at,
      status: row.status,
      outcome: recordedOutcome(row.outcome),
      since: row.status_since ?? row.created_at,
      activated: row.activated_at !== null,
      deadline: row.deadline,
      groupActivatedAt: row.deadline ? row.group_activated_at : null,
      activeOrder: row.status === 'IN_PROGRESS' ? row.active_signing_order : null,
      failureReason: (row.failure_reason as SignatureJobState['failureReason']) ?? null,
      retentionUntil: row.retention_until ?? row.delete_after ?? null,
      documentsDeleted: row.documents_deleted_at !== null,
      longTermStorage: request.longTermStorage,
    },
    signers: signerRows.map((s) => ({
      id: s.id,
      order: s.signing_order,
      identifier: signerIdentifier(s),
      status: s.status as SignerStatus,
      since: s.status_since,
      language: s.language as NotificationLanguage,
      rejectionReason: s.status === 'REJECTED' ? s.rejection_reason : null,
    })),
    hasPades: artifacts.some((a) => a.kind === 'PADES'),
    xadesSignerIds: new Set(artifacts.filter((a) => a.kind === 'XADES').map((a) => a.signer_id)),
    next,
    pdfANotKept: pdfANotKept.map((d) => ({
      title: d.title,
      fileName: d.file_name,
      problems: d.pdfa_not_kept ?? [],
    })),
  };
}

/** What a create stores of a new job (src/db/jobs.ts, storeNewJob), as its record needs it. */
export interface NewJobRows {
  job: {
    id: string;
    org_number: string;
    flow: Flow;
    title: string;
    reference: string | null;
    created_at: Date;
  };
  signers: {
    id: string;
    signing_order: number;
    personal_identification_number: string | null;
    custom_identifier: string | null;
    email: string | null;
    mobile: string | null;
    language: string;
    status_since: Date;
  }[];
  longTermStorage: boolean;
}

/**
 * The record of a job just created, from the rows its create stored: what readJob reads back for
 * them before the workflow records anything (in progress, every signer waiting, nothing activated,
 * no result), built without asking PostgreSQL again. The create's answer uses it; every later read
 * goes through readJob.
 */
export function newJobRecord(rows: NewJobRows): JobRecord {
  const { job } = rows;
  const signers = rows.signers.map((s) => ({
    id: s.id,
    order: s.signing_order,
    identifier: signerIdentifier(s),
    status: 'WAITING' as const,
    since: s.status_since,
    language: s.language as NotificationLanguage,
    rejectionReason: null,
  }));
  return {
    job: {
      id: job.id,
      org: job.org_number,
      flow: job.flow,
      title: job.title,
      reference: job.reference,
      createdAt: job.created_at,
      status: 'IN_PROGRESS',
      outcome: 'IN_PROGRESS',
      since: job.created_at,
      activated: false,
      deadline: null,
      groupActivatedAt: null,
      activeOrder: null,
      failureReason: null,
      retentionUntil: null,
      documentsDeleted: false,
      longTermStorage: rows.longTermStorage,
    },
    signers,
    hasPades: false,
    xadesSignerIds: new Set(),
    next: nextStep({
      status: 'IN_PROGRESS',
      flow: job.flow,
      hasPades: false,
      activeOrder: null,
      groupActivatedAt: null,
      deadline: null,
      signers: signers.map((s, i) => ({
        id: s.id,
        number: i + 1,
        name: null,
        order: s.order,
        status: s.status,
        channels: null,
        notified: false,
      })),
    }),
    pdfANotKept: [],
  };
}

/** The recorded outcome; a value this code does not know (a corrupt row) is a plain failure. */
function recordedOutcome(value: string): JobOutcome {
  return JOB_OUTCOMES.find((o) => o === value) ?? 'FAILED';
}

function liveArtifacts(db: Db, jobId: string) {
  return db
    .selectFrom('artifacts')
    .select(['signer_id', 'kind'])
    .where('job_id', '=', jobId)
    .where('deleted_at', 'is', null)
    .execute();
}

/**
 * The stored row of a job of `org` in `flow` (the first check of every sender endpoint); with
 * flow 'any', in whichever flow (the sender portal's).
 */
export async function findOwnedJobRow(db: Db, org: string, flow: Flow | 'any', jobId: string) {
  if (!isPlausibleId(jobId)) return undefined;
  let query = db
    .selectFrom('signature_jobs')
    .select(['id', 'org_number', 'flow', 'title', 'reference', 'created_at', 'status', 'request'])
    .where('id', '=', jobId)
    .where('org_number', '=', org);
  if (flow !== 'any') query = query.where('flow', '=', flow);
  return query.executeTakeFirst();
}

/**
 * The signer's side of a job (one row of signers ⋈ jobs ⋈ organisations), with whether the
 * signer's group is the active one. Undefined when there is no such job and signer.
 */
export interface SignerJobRow {
  jobId: string;
  signerId: string;
  org: string;
  flow: Flow;
  title: string;
  request: JobRequest;
  jobStatus: JobStatus;
  createdAt: Date;
  senderName: string;
  /** The deadline of the person's group while it may sign. */
  deadline: Date | null;
  /** The deadline of the group signing now while the job runs (another group's, once they signed). */
  jobDeadline: Date | null;
  /** When the job got its status (for an ended job: when it ended). */
  statusSince: Date;
  signer: {
    pid: string | null;
    customIdentifier: string | null;
    email: string | null;
    mobile: string | null;
    status: SignerStatus;
    signatureType: string;
    /** SELF or OTHER: whether the signer signs for themselves (their mailbox gets the copy). */
    onBehalfOf: string;
    /** The job runs and the signer's group is the one that may sign now. */
    groupActive: boolean;
    /** When they signed; null until then. */
    signedAt: Date | null;
  };
  hasPades: boolean;
}

/** The signer's job rows: by signer (and job) id, or every portal job of a person. */
function signerJobQuery(db: Db) {
  return db
    .selectFrom('signers')
    .innerJoin('signature_jobs', 'signature_jobs.id', 'signers.job_id')
    .innerJoin('organisations', 'organisations.org_number', 'signature_jobs.org_number')
    .leftJoin('artifacts', (join) =>
      join
        .onRef('artifacts.job_id', '=', 'signature_jobs.id')
        .on('artifacts.kind', '=', 'PADES')
        .on('artifacts.signer_id', '=', '')
        .on('artifacts.deleted_at', 'is', null),
    )
    .select([
      'signature_jobs.id as jobId',
      'signers.id as signerId',
      'signature_jobs.org_number as org',
      'signature_jobs.flow',
      'signature_jobs.title',
      'signature_jobs.request',
      'signature_jobs.status as jobStatus',
      'signature_jobs.created_at as createdAt',
      'signature_jobs.status_since',
      'signature_jobs.deadline',
      'signature_jobs.active_signing_order',
      'organisations.name as senderName',
      'signers.personal_identification_number as pid',
      'signers.custom_identifier',
      'signers.email',
      'signers.mobile',
      'signers.status',
      'signers.signature_type',
      'signers.on_behalf_of',
      'signers.signing_order',
      'signers.signed_at',
      'artifacts.id as padesId',
    ]);
}

type SignerJobQueryRow = Awaited<ReturnType<ReturnType<typeof signerJobQuery>['execute']>>[number];

function toSignerJob(row: SignerJobQueryRow): SignerJobRow {
  const groupActive =
    row.jobStatus === 'IN_PROGRESS' &&
    row.active_signing_order !== null &&
    row.active_signing_order === row.signing_order;
  return {
    jobId: row.jobId,
    signerId: row.signerId,
    org: row.org,
    flow: row.flow,
    title: row.title,
    request: storedJobRequest(row.request),
    jobStatus: row.jobStatus,
    createdAt: row.createdAt,
    senderName: row.senderName,
    deadline: groupActive ? row.deadline : null,
    jobDeadline: row.jobStatus === 'IN_PROGRESS' ? row.deadline : null,
    statusSince: row.status_since ?? row.createdAt,
    signer: {
      pid: row.pid,
      customIdentifier: row.custom_identifier,
      email: row.email,
      mobile: row.mobile,
      status: row.status as SignerStatus,
      signatureType: row.signature_type,
      onBehalfOf: row.on_behalf_of,
      groupActive,
      signedAt: row.signed_at,
    },
    hasPades: row.padesId !== null,
  };
}

export async function readSignerJob(
  db: Db,
  jobId: string,
  signerId: string,
): Promise<SignerJobRow | undefined> {
  if (!isPlausibleId(jobId) || !isPlausibleId(signerId)) return undefined;
  const row = await signerJobQuery(db)
    .where('signers.id', '=', signerId)
    .where('signature_jobs.id', '=', jobId)
    .executeTakeFirst();
  return row ? toSignerJob(row) : undefined;
}

/**
 * The portal jobs a person is a signer of, newest first: by identity number, or by signer ids
 * this browser was let in for with a link and its code.
 */
export async function listPersonSignerJobs(
  db: Db,
  person: { pid: string | null; signerIds: string[] },
  limit: number,
): Promise<SignerJobRow[]> {
  if (!person.pid && person.signerIds.length === 0) return [];
  const rows = await signerJobQuery(db)
    .where('signature_jobs.flow', '=', 'portal')
    .where((eb) =>
      eb.or([
        ...(person.pid ? [eb('signers.personal_identification_number', '=', person.pid)] : []),
        ...(person.signerIds.length > 0 ? [eb('signers.id', 'in', person.signerIds)] : []),
      ]),
    )
    .orderBy('signature_jobs.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toSignerJob);
}

/**
 * What the job list may be narrowed to: an outcome, and words of the title, the reference or a
 * signer's name (as their eID gave it) or e-mail address. The page bounds the words (src/portal/sender-jobs.ts).
 */
export interface JobListFilter {
  outcome?: JobOutcome;
  search?: string;
}

/** LIKE's own characters taken literally. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** A row of the sender portal's job list. */
export interface OrganisationJobRow {
  id: string;
  flow: Flow;
  title: string;
  reference: string | null;
  status: JobStatus;
  outcome: JobOutcome;
  createdAt: Date;
  /** The active group's deadline; null when no group may sign. */
  deadline: Date | null;
  /** Signers who signed, of all the job's signers. */
  signed: number;
  signers: number;
}

/**
 * The organisation's jobs, newest first, with their recorded outcomes, deadlines and how many of
 * their signers signed: every job of it, whatever the flow and whichever API (JSON, XML, the
 * sender portal) created it, and never another organisation's.
 */
export async function listOrganisationJobs(
  db: Db,
  org: string,
  filter: JobListFilter = {},
  limit = 50,
): Promise<OrganisationJobRow[]> {
  let query = db
    .selectFrom('signature_jobs')
    .select((eb) => [
      'signature_jobs.id',
      'signature_jobs.flow',
      'signature_jobs.title',
      'signature_jobs.reference',
      'signature_jobs.status',
      'signature_jobs.outcome',
      'signature_jobs.created_at as createdAt',
      'signature_jobs.deadline',
      eb
        .selectFrom('signers')
        .select((s) => s.fn.countAll<string>().as('n'))
        .whereRef('signers.job_id', '=', 'signature_jobs.id')
        .where('signers.status', '=', 'SIGNED')
        .as('signed'),
      eb
        .selectFrom('signers')
        .select((s) => s.fn.countAll<string>().as('n'))
        .whereRef('signers.job_id', '=', 'signature_jobs.id')
        .as('signers'),
    ])
    .where('signature_jobs.org_number', '=', org);
  if (filter.outcome) query = query.where('signature_jobs.outcome', '=', filter.outcome);
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${likeLiteral(search)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('signature_jobs.title', 'ilike', pattern),
        eb('signature_jobs.reference', 'ilike', pattern),
        eb.exists(
          eb
            .selectFrom('signers')
            .select('signers.id')
            .whereRef('signers.job_id', '=', 'signature_jobs.id')
            .where((w) => w.or([w('signers.name', 'ilike', pattern), w('signers.email', 'ilike', pattern)])),
        ),
      ]),
    );
  }
  const rows = await query.orderBy('signature_jobs.created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    flow: r.flow,
    title: r.title,
    reference: r.reference,
    status: r.status,
    outcome: recordedOutcome(r.outcome),
    createdAt: r.createdAt,
    deadline: r.status === 'IN_PROGRESS' ? r.deadline : null,
    signed: Number(r.signed ?? 0),
    signers: Number(r.signers ?? 0),
  }));
}

/** The group that may sign now: when it was activated and its deadline; undefined when none may. */
export async function readActiveGroup(
  db: Db,
  jobId: string,
): Promise<{ activatedAt: Date; deadline: Date } | undefined> {
  if (!isPlausibleId(jobId)) return undefined;
  const row = await db
    .selectFrom('signature_jobs')
    .select(['group_activated_at', 'deadline'])
    .where('id', '=', jobId)
    .where('status', '=', 'IN_PROGRESS')
    .executeTakeFirst();
  if (!row?.group_activated_at || !row.deadline) return undefined;
  return { activatedAt: row.group_activated_at, deadline: row.deadline };
}

/** Each signer's identifier (how the sender addressed them), by signer id. */
export async function signerIdentifiers(db: Db, jobId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('signers')
    .select(['id', 'personal_identification_number', 'custom_identifier', 'email', 'mobile'])
    .where('job_id', '=', jobId)
    .execute();
  return new Map(rows.map((s) => [s.id, signerIdentifier(s)]));
}

/** A signer's recorded status; undefined when there is no such signer of the job. */
export async function signerStatus(
  db: Db,
  jobId: string,
  signerId: string,
): Promise<SignerStatus | undefined> {
  const job = await readSignerJob(db, jobId, signerId);
  return job?.signer.status;
}

/** The ids of a job's signers in the sender's order. */
export async function signerIdsOf(db: Db, jobId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('signers')
    .select('id')
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.id);
}

/** A job's signers as the progress line needs them: each one's group and status. */
export interface JobProgressState {
  status: JobStatus;
  /** The signing order of the group that may sign now; null before activation and after the end. */
  activeOrder: number | null;
  /** In the sender's order; `name` as the eID login gave it, once the signer signed. */
  signers: { id: string; order: number; status: SignerStatus; position: number; name: string | null }[];
}

/** The progress state of each of the given jobs, by job id (one query for a whole list). */
export async function readJobProgressStates(
  db: Db,
  jobIds: string[],
): Promise<Map<string, JobProgressState>> {
  const states = new Map<string, JobProgressState>();
  if (jobIds.length === 0) return states;
  const rows = await db
    .selectFrom('signers')
    .innerJoin('signature_jobs', 'signature_jobs.id', 'signers.job_id')
    .select([
      'signature_jobs.id as jobId',
      'signature_jobs.status as jobStatus',
      'signature_jobs.active_signing_order as activeOrder',
      'signers.id',
      'signers.signing_order as order',
      'signers.status',
      'signers.position',
      'signers.name',
    ])
    .where('signature_jobs.id', 'in', jobIds)
    .orderBy('signers.position')
    .execute();
  for (const row of rows) {
    const state = states.get(row.jobId) ?? {
      status: row.jobStatus,
      activeOrder: row.activeOrder,
      signers: [],
    };
    state.signers.push({
      id: row.id,
      order: row.order,
      status: row.status as SignerStatus,
      position: row.position,
      name: row.name,
    });
    states.set(row.jobId, state);
  }
  return states;
}

// The XML API's numeric job ids (migration 0014) and how signers were addressed: the two facts
// its answers need that the JSON views do not carry.

/** A signer as the sender addressed them. */
export interface SignerAddressRow {
  id: string;
  personalIdentificationNumber: string | null;
  customIdentifier: string | null;
  email: string | null;
  mobile: string | null;
}

/** A numeric id from a URL (digits only, fits a bigint) to the job's id; null for anything else. */
export async function jobIdOfNumericId(db: Db, numericId: string): Promise<string | null> {
  if (!/^[1-9][0-9]{0,17}$/.test(numericId)) return null;
  const row = await db
    .selectFrom('signature_jobs')
    .select('id')
    .where('numeric_id', '=', numericId as never)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function numericIdOf(db: Db, jobId: string): Promise<string> {
  const row = await db
    .selectFrom('signature_jobs')
    .select('numeric_id')
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
  return String(row.numeric_id);
}

/** Each signer of the job by id, in the sender's order, as the sender addressed them. */
export async function signerAddresses(db: Db, jobId: string): Promise<Map<string, SignerAddressRow>> {
  const rows = await db
    .selectFrom('signers')
    .select(['id', 'personal_identification_number', 'custom_identifier', 'email', 'mobile'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        personalIdentificationNumber: r.personal_identification_number,
        customIdentifier: r.custom_identifier,
        email: r.email,
        mobile: r.mobile,
      },
    ]),
  );
}

/** A signer's addresses and the sender's name, read for a message to the signer (a one-time code). */
export async function signerRecipient(db: Db, signerId: string) {
  return db
    .selectFrom('signers')
    .innerJoin('signature_jobs', 'signature_jobs.id', 'signers.job_id')
    .innerJoin('organisations', 'organisations.org_number', 'signature_jobs.org_number')
    .select([
      'signers.email',
      'signers.mobile',
      'organisations.name as sender_name',
      'organisations.org_number',
    ])
    .where('signers.id', '=', signerId)
    .executeTakeFirst();
}

// What the sender's job page shows beyond the job record: the documents, the message to the
// signers, when the job was activated, and each signer's recorded facts (notices, the first view of
// the documents, logins with level and eID from the audit trail, the mailbox forward of the copy),
// from which src/rules/signer-history.ts tells the history.

export interface SenderJobDetails {
  /** The message to the signers (the request's description); null if none. */
  message: string | null;
  /** When the job was activated (its first group received it); null before. */
  activatedAt: Date | null;
  documents: {
    title: string;
    fileName: string;
    mimeType: string;
    sizeBytes: number;
    /** The PDF's pages; null for text documents and jobs created before they were counted. */
    pages: number | null;
    deleted: boolean;
  }[];
  /** By signer id; `name` as the eID gave it when they signed. */
  signers: Map<string, { name: string | null; facts: Omit<SignerFacts, 'held'> }>;
}

/** A JSON column's object (the pg driver may hand it over as text); {} for anything else. */
function jsonObject(value: unknown): Record<string, unknown> {
  const v = typeof value === 'string' ? JSON.parse(value) : value;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const textOrNull = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

export async function readSenderJobDetails(db: Db, jobId: string): Promise<SenderJobDetails | undefined> {
  if (!isPlausibleId(jobId)) return undefined;
  const job = await db
    .selectFrom('signature_jobs')
    .select(['request', 'activated_at'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  if (!job) return undefined;
  const [documents, signers, notices, audit, forwards] = await Promise.all([
    db
      .selectFrom('documents')
      .select(['title', 'file_name', 'mime_type', 'size_bytes', 'page_count', 'deleted_at'])
      .where('job_id', '=', jobId)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('signers')
      .select(['id', 'name', 'status', 'status_since', 'signed_at', 'rejection_reason'])
      .where('job_id', '=', jobId)
      .execute(),
    db
      .selectFrom('notices')
      .select(['signer_id', 'channel', 'kind', 'sent_at'])
      .where('job_id', '=', jobId)
      .orderBy('sent_at')
      .execute(),
    db
      .selectFrom('audit_events')
      .select(['actor', 'event', 'at', 'details'])
      .where('job_id', '=', jobId)
      .where('event', 'in', ['DOCUMENT_VIEWED', 'SIGNER_LOGGED_IN'])
      .orderBy('at')
      .execute(),
    db
      .selectFrom('mailbox_forwards')
      .select(['signer_id', 'status', 'offered_until', 'delivered_at'])
      .where('job_id', '=', jobId)
      .execute(),
  ]);
  const request = storedJobRequest(job.request);
  const ofSigner = (id: string) => audit.filter((a) => a.actor === signerActor(id));
  return {
    message: request.description ?? null,
    activatedAt: job.activated_at,
    documents: documents.map((d) => ({
      title: d.title,
      fileName: d.file_name,
      mimeType: d.mime_type,
      sizeBytes: d.size_bytes,
      pages: d.page_count,
      deleted: d.deleted_at !== null,
    })),
    signers: new Map(
      signers.map((s) => {
        const forward = forwards.find((f) => f.signer_id === s.id);
        const events = ofSigner(s.id);
        const facts: Omit<SignerFacts, 'held'> = {
          status: s.status as SignerStatus,
          since: s.status_since,
          signedAt: s.signed_at,
          rejectionReason: s.status === 'REJECTED' ? s.rejection_reason : null,
          notices: notices
            .filter((n) => n.signer_id === s.id)
            .map((n) => ({ at: n.sent_at, channel: n.channel, kind: n.kind })),
          openedAt: events.find((e) => e.event === 'DOCUMENT_VIEWED')?.at ?? null,
          logins: events
            .filter((e) => e.event === 'SIGNER_LOGGED_IN')
            .map((e) => {
              const d = jsonObject(e.details);
              const amr = Array.isArray(d.amr) ? d.amr.filter((x) => typeof x === 'string') : [];
              return {
                at: e.at,
                level: typeof d.level === 'number' ? d.level : null,
                eid: amr.length > 0 ? amr.join(', ') : null,
                provider: textOrNull(d.eidProvider),
              };
            }),
          copy: forward
            ? { status: forward.status, at: forward.delivered_at, offeredUntil: forward.offered_until }
            : null,
        };
        return [s.id, { name: s.name, facts }];
      }),
    ),
  };
}

/** When a result was made (the PAdES sealed, a signer's XAdES created); null if there is none. */
export async function artifactMadeAt(
  db: Db,
  jobId: string,
  kind: 'PADES' | 'XADES',
  signerId = '',
): Promise<Date | null> {
  if (!isPlausibleId(jobId) || (signerId !== '' && !isPlausibleId(signerId))) return null;
  const row = await db
    .selectFrom('artifacts')
    .select('created_at')
    .where('job_id', '=', jobId)
    .where('kind', '=', kind)
    .where('signer_id', '=', signerId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.created_at ?? null;
}

/**
 * The deadline the job's last extension set (through the API or the sender portal), from the
 * audit trail; null when its deadline was never extended. The sender portal's "deadline extended"
 * notice says this, never what a URL claims.
 */
export async function lastDeadlineExtension(db: Db, jobId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('audit_events')
    .select(sql<string | null>`details->>'deadline'`.as('deadline'))
    .where('job_id', '=', jobId)
    .where('event', '=', 'DEADLINE_EXTENDED')
    .where(sql<boolean>`details->>'deadline' is not null`)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const deadline = row?.deadline ? new Date(row.deadline) : null;
  return deadline && !Number.isNaN(deadline.getTime()) ? deadline : null;
}

/** Where a signer's copy of the signed document went, as forwarding recorded it. */
export interface MailboxForwardState {
  /** DELIVERED: in their digital mailbox. PENDING: no mailbox yet, offered until `offeredUntil`. EXPIRED: none came. */
  status: 'DELIVERED' | 'PENDING' | 'EXPIRED';
  offeredUntil: Date;
  deliveredAt: Date | null;
}

/** What is recorded about a signer's copy: its mailbox forward, and until when it can be downloaded. */
export interface SignerCopyState {
  /** Null while no forward was tried (the job not completed yet, or no mailbox copy due). */
  forward: MailboxForwardState | null;
  /** When the job's documents are deleted; null while unknown (running, or kept long-term). */
  downloadUntil: Date | null;
}

export async function readSignerCopyState(db: Db, jobId: string, signerId: string): Promise<SignerCopyState> {
  const row = await db
    .selectFrom('signature_jobs')
    .leftJoin('mailbox_forwards', (join) =>
      join
        .onRef('mailbox_forwards.job_id', '=', 'signature_jobs.id')
        .on('mailbox_forwards.signer_id', '=', signerId),
    )
    .select([
      'signature_jobs.retention_until',
      'mailbox_forwards.status',
      'mailbox_forwards.offered_until',
      'mailbox_forwards.delivered_at',
    ])
    .where('signature_jobs.id', '=', jobId)
    .executeTakeFirst();
  return {
    forward:
      row?.status && row.offered_until
        ? { status: row.status, offeredUntil: row.offered_until, deliveredAt: row.delivered_at ?? null }
        : null,
    downloadUntil: row?.retention_until ?? null,
  };
}

/** The audit event recording which channels a signer's notices go by (never the addresses). */
export { NOTICE_CHANNELS_EVENT } from './audit.js';

/** A job's recorded state as "what happens next" (src/rules/next-step.ts) needs it; undefined if none. */
export async function readNextStepInput(db: Db, jobId: string): Promise<NextStepInput | undefined> {
  if (!isPlausibleId(jobId)) return undefined;
  const job = await db
    .selectFrom('signature_jobs')
    .select(['status', 'flow', 'active_signing_order', 'group_activated_at', 'deadline'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  if (!job) return undefined;
  const [artifacts, signers, notified, channels] = await Promise.all([
    liveArtifacts(db, jobId),
    db
      .selectFrom('signers')
      .select(['id', 'position', 'name', 'signing_order', 'status'])
      .where('job_id', '=', jobId)
      .orderBy('position')
      .execute(),
    db.selectFrom('notices').select('signer_id').distinct().where('job_id', '=', jobId).execute(),
    db
      .selectFrom('audit_events')
      .select('details')
      .where('job_id', '=', jobId)
      .where('event', '=', NOTICE_CHANNELS_EVENT)
      .execute(),
  ]);
  const notifiedIds = new Set(notified.map((n) => n.signer_id));
  const channelsOf = new Map<string, { email: boolean; sms: boolean }>();
  for (const { details } of channels) {
    const d = decodeAuditDetails(details);
    if (typeof d.signerId === 'string')
      channelsOf.set(d.signerId, { email: d.email === true, sms: d.sms === true });
  }
  return {
    status: job.status as JobStatus,
    flow: job.flow as Flow,
    hasPades: artifacts.some((a) => a.kind === 'PADES'),
    activeOrder: job.active_signing_order,
    groupActivatedAt: job.group_activated_at,
    deadline: job.deadline,
    signers: signers.map((s, i) => ({
      id: s.id,
      number: i + 1,
      name: s.name,
      order: s.signing_order,
      status: s.status as SignerStatus,
      channels: channelsOf.get(s.id) ?? null,
      notified: notifiedIds.has(s.id),
    })),
  };
}

/** What the job waits for next (src/rules/next-step.ts) from its recorded state; NONE if no such job. */
export async function readNextStep(db: Db, jobId: string): Promise<NextStep> {
  const input = await readNextStepInput(db, jobId);
  return input ? nextStep(input) : { kind: 'NONE' };
}

/**
 * The ids of the documents a signer has opened: a DOCUMENT_VIEWED of theirs in the audit trail,
 * recorded once per document and browser session under `documentViewedKey` (src/portal/audit.ts).
 */
export async function readViewedDocumentIds(db: Db, jobId: string, signerId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('audit_events')
    .select('idempotency_key')
    .where('job_id', '=', jobId)
    .where('event', '=', 'DOCUMENT_VIEWED')
    .where('actor', '=', signerActor(signerId))
    .execute();
  return new Set(rows.map((r) => r.idempotency_key.split(':').at(-1) ?? ''));
}
