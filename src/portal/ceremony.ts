/**
 * The signer's side of a job, for the ceremony page (both flows): what the signer may see, whether
 * this browser may act for them, and signing or rejecting through the one signer path
 * (`actAsSigner`), with each step in the audit trail.
 */
import type { Db } from '../db/index.js';
import {
  readJobProgressStates,
  readNextStep,
  readSignerCopyState,
  readSignerJob,
  readViewedDocumentIds,
} from '../db/job-reads.js';
import { setSignerLanguage } from '../db/signers.js';
import type { AuthenticatedIdentity } from '../eid/index.js';
import type { SigningKeyProvider } from '../eid/signing-keys.js';
import type {
  AuthenticationLevel,
  Flow,
  NotificationLanguage,
  SignatureJobState,
  SignerStatus,
} from '../job/model.js';
import type { DigitalMailbox } from '../notifications/mailbox.js';
import type { NextStep } from '../rules/next-step.js';
import type { JobServiceDeps } from '../services/job-service.js';
import { actAsSigner, type SignerActionDeps } from '../services/signer-actions.js';
import type { SignerIdentity } from '../signatures/job-results.js';
import type { CertifiedKey } from '../signing/index.js';
import { documentDigests, type RequestOrigin, recordPageEvent, signerActor } from './audit.js';
import { copyDelivery, type SignerProgress, signerProgress } from './progress.js';
import type { SessionGrant } from './sessions.js';

export interface CeremonyDocument {
  id: string;
  title: string;
  fileName: string;
  mimeType: 'application/pdf' | 'text/plain';
  sha256: string;
  available: boolean;
  /** The signer has opened it (a DOCUMENT_VIEWED of theirs is recorded). */
  opened: boolean;
}

export interface CeremonyJob {
  jobId: string;
  signerId: string;
  flow: Flow;
  senderName: string;
  title: string;
  nonsensitiveTitle: string | null;
  description: string | null;
  requiredAuthentication: AuthenticationLevel;
  jobStatus: SignatureJobState['status'];
  /** When the job expires unless every signer has signed; null when none is recorded. */
  deadline: string | null;
  signer: {
    /** The identity number the sender addressed the signer by; a login must match it. */
    pid: string | null;
    status: SignerStatus;
    signatureType: string;
    /** Signing or rejecting is possible now: the job runs, the signer waits, its group is active. */
    mayAct: boolean;
  };
  documents: CeremonyDocument[];
  hasPades: boolean;
  /** Where the signer stands and what comes next (the progress line of every signer screen). */
  progress: SignerProgress;
  /** What the job waits for next (the same rule as the sender's page and the API). */
  next: NextStep;
  /** Direct flow: the origins of the sender's exit URLs, where the ceremony ends. */
  exitOrigins: string[];
}

/** The job as one of its signers sees it; null when there is no such job and signer. */
export async function loadCeremonyJob(
  deps: Pick<JobServiceDeps, 'db'> & { mailbox?: Pick<DigitalMailbox, 'hasMailbox'> },
  jobId: string,
  signerId: string,
): Promise<CeremonyJob | null> {
  const row = await readSignerJob(deps.db, jobId, signerId);
  if (!row) return null;
  const documents = await deps.db
    .selectFrom('documents')
    .select(['id', 'title', 'file_name', 'mime_type', 'sha256', 'deleted_at'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
  const viewed = await readViewedDocumentIds(deps.db, jobId, signerId);
  const { request, signer } = row;
  const delivery = copyDelivery(row.flow, { onBehalfOf: signer.onBehalfOf, pid: signer.pid });
  return {
    jobId,
    signerId,
    flow: row.flow,
    senderName: row.senderName,
    title: row.title,
    nonsensitiveTitle: request.nonsensitiveTitle ?? null,
    description: request.description ?? null,
    requiredAuthentication: request.requiredAuthentication ?? 4,
    jobStatus: row.jobStatus,
    deadline: row.deadline?.toISOString() ?? null,
    signer: {
      pid: signer.pid,
      status: signer.status,
      signatureType: signer.signatureType,
      mayAct: signer.status === 'WAITING' && signer.groupActive,
    },
    documents: documents.map((d) => ({
      id: d.id,
      title: d.title,
      fileName: d.file_name,
      mimeType: d.mime_type as CeremonyDocument['mimeType'],
      sha256: d.sha256,
      available: d.deleted_at === null,
      opened: viewed.has(d.id),
    })),
    hasPades: row.hasPades,
    progress: signerProgress({
      state: (await readJobProgressStates(deps.db, [jobId])).get(jobId) ?? null,
      signerId,
      jobStatus: row.jobStatus,
      signerStatus: signer.status,
      hasPades: row.hasPades,
      delivery,
      copy: delivery === 'MAILBOX' ? await readSignerCopyState(deps.db, jobId, signerId) : null,
      hasMailbox:
        delivery === 'MAILBOX' && row.jobStatus === 'IN_PROGRESS' && signer.pid
          ? await askMailbox(deps.mailbox, signer.pid)
          : undefined,
    }),
    next: await readNextStep(deps.db, jobId),
    exitOrigins: [...new Set(Object.values(request.exitUrls ?? {}).map((u) => new URL(u).origin))],
  };
}

/**
 * Whether the person has a digital mailbox, as the register says now; undefined when there is no
 * register to ask or it does not answer (the page then promises the mailbox only "if you have one").
 */
async function askMailbox(
  mailbox: Pick<DigitalMailbox, 'hasMailbox'> | undefined,
  pid: string,
): Promise<boolean | undefined> {
  if (!mailbox) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The page does not wait on a slow register: after a moment it says "if you have one".
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), MAILBOX_ASK_MS);
  });
  try {
    return await Promise.race([mailbox.hasMailbox(pid), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** How long a signing page waits for the register's mailbox answer. */
const MAILBOX_ASK_MS = 2000;

/**
 * Keeps the language the signer chose on their signing page for the notices still to come to
 * them (reminders, cancellation, mailbox notices), overriding the sender's choice. Portal flow
 * only: direct-flow signers get no notices. Returns whether the stored language changed.
 */
export async function rememberSignerLanguage(
  db: Db,
  job: Pick<CeremonyJob, 'jobId' | 'signerId' | 'flow'>,
  language: NotificationLanguage,
): Promise<boolean> {
  if (job.flow !== 'portal') return false;
  return setSignerLanguage(db, job.jobId, job.signerId, language);
}

export type CeremonyAccess =
  | { ok: true }
  | { ok: false; reason: 'NOT_FOUND' | 'LOGIN_REQUIRED' | 'IDENTITY_MISMATCH' | 'LEVEL_TOO_LOW' };

/**
 * May this browser open the signer's ceremony? It must have been let in for the signer (a direct
 * redirect URL, a link with its code) or be logged in as the person the sender addressed; then it
 * must be logged in, as that person when the sender named one, at the job's level or higher.
 */
export function ceremonyAccess(
  job: CeremonyJob,
  session: { identity: AuthenticatedIdentity | null; grants: SessionGrant[] },
): CeremonyAccess {
  const granted = session.grants.some((g) => g.jobId === job.jobId && g.signerId === job.signerId);
  const identity = session.identity;
  if (!granted) {
    if (!identity) return { ok: false, reason: 'LOGIN_REQUIRED' };
    // A portal signer found by identity number; anyone else learns nothing of the job.
    if (job.flow !== 'portal' || job.signer.pid !== identity.pid) return { ok: false, reason: 'NOT_FOUND' };
  }
  if (!identity) return { ok: false, reason: 'LOGIN_REQUIRED' };
  if (job.signer.pid !== null && job.signer.pid !== identity.pid)
    return { ok: false, reason: 'IDENTITY_MISMATCH' };
  if (identity.level < job.requiredAuthentication) return { ok: false, reason: 'LEVEL_TOO_LOW' };
  return { ok: true };
}

/** The title a person logged in at `level` may see: level 3 sees only the non-sensitive one. */
export function visibleTitle(
  job: Pick<CeremonyJob, 'title' | 'nonsensitiveTitle'>,
  level: AuthenticationLevel | undefined,
) {
  return level === 4 ? job.title : job.nonsensitiveTitle;
}

export interface CeremonyContext {
  deps: SignerActionDeps;
  signingKeys: SigningKeyProvider;
  origin: RequestOrigin;
}

/** Records a ceremony step of this signer with the documents' digests. */
export async function recordCeremonyStep(
  db: Db,
  job: Pick<CeremonyJob, 'jobId' | 'signerId'>,
  event: Parameters<typeof recordPageEvent>[1]['event'],
  origin: RequestOrigin,
  details: Record<string, unknown> = {},
  onceKey?: string,
) {
  await recordPageEvent(db, {
    jobId: job.jobId,
    actor: signerActor(job.signerId),
    event,
    origin,
    details: { signerId: job.signerId, ...details, documents: await documentDigests(db, job.jobId) },
    ...(onceKey ? { onceKey } : {}),
  });
}

/**
 * Signs as the logged-in person. The signature object is made by the signing path behind
 * `actAsSigner` from the identity given here; an advanced signature uses the person's own key from
 * the eID (`personalKey`).
 */
export async function signInBrowser(ctx: CeremonyContext, job: CeremonyJob, identity: AuthenticatedIdentity) {
  const personalKey: CertifiedKey | undefined =
    job.signer.signatureType === 'ADVANCED_SIGNATURE' ? await ctx.signingKeys.keyOf(identity) : undefined;
  const signerIdentity: SignerIdentity & { personalKey?: CertifiedKey } = {
    name: identity.name,
    personalIdentificationNumber: identity.pid,
    authenticationLevel: identity.level,
    authenticatedAt: identity.authenticatedAt,
    eidProvider: identity.provider,
    ...(personalKey ? { personalKey } : {}),
  };
  // Built apart from the call: the `identity` field joins SignerAction with the signing wiring.
  const action = { type: 'sign' as const, authenticationLevel: identity.level, identity: signerIdentity };
  const result = await actAsSigner(ctx.deps, target(job), action);
  await recordCeremonyStep(ctx.deps.db, job, 'SIGNED_IN_BROWSER', ctx.origin, {
    level: identity.level,
    eidProvider: identity.provider,
    signatureType: job.signer.signatureType,
  });
  return result;
}

export async function rejectInBrowser(ctx: CeremonyContext, job: CeremonyJob, reason: string | undefined) {
  const result = await actAsSigner(ctx.deps, target(job), { type: 'reject', ...(reason ? { reason } : {}) });
  await recordCeremonyStep(ctx.deps.db, job, 'REJECTED_IN_BROWSER', ctx.origin, {
    withReason: Boolean(reason),
  });
  return result;
}

const target = (job: CeremonyJob) => ({ jobId: job.jobId, signerId: job.signerId, flow: job.flow });

/** The mark a document carries in the signer's list of documents. */
export type DocumentMark = 'SIGNED' | 'REJECTED' | 'OPENED' | 'NOT_OPENED' | 'DELETED';

/**
 * A document's mark from the recorded state: signed or rejected with the signer's answer (one
 * answer covers every document of the job), else whether the signer has opened it. A text
 * document counts as opened: its whole text is part of the signing page itself.
 */
export function documentMark(
  doc: Pick<CeremonyDocument, 'available' | 'opened' | 'mimeType'>,
  signerStatus: SignerStatus,
): DocumentMark {
  if (signerStatus === 'SIGNED') return 'SIGNED';
  if (signerStatus === 'REJECTED') return 'REJECTED';
  if (!doc.available) return 'DELETED';
  return doc.opened || doc.mimeType === 'text/plain' ? 'OPENED' : 'NOT_OPENED';
}
