/**
 * The end of a job: its results packaged once everyone has signed, the withdrawn job told to
 * those who were notified, the signed copies forwarded, and then the workflow's own end (see
 * docs/workflow.md, "The end state"). Runs started before `ends-with-job-v1` instead keep the
 * documents until their retention ends (`retainUntilDeleted`).
 */
import { ApplicationFailure, allHandlersFinished, condition, log, workflowInfo } from '@temporalio/workflow';
import type { SignatureJobState } from '../src/job/model.js';
import { LONG_TERM_RETENTION_SECONDS, RETENTION_SECONDS } from '../src/job/model.js';
import { retentionDeadline } from '../src/job/retention.js';
import {
  DOCUMENTS_EXPIRE_NOTICE_KEY,
  documentsExpiryWarningAt,
} from '../src/notifications/sender-notice-rules.js';
import { type JobOutcome, jobOutcome, outcomeCause } from '../src/rules/outcome.js';
import {
  deleteDocuments,
  forwardSignedCopies,
  handOverToArchive,
  packageJob,
  sendSenderNotice,
  sendSignerNotice,
} from './activities.js';
import type { JobResult } from './definitions.js';
import * as job from './job-state.js';
import { nowIso, type RunningJob } from './running-job.js';

/** Everyone signed: the results are packaged, and only then is the job complete. */
export async function packageIfAllSigned(run: RunningJob): Promise<void> {
  if (run.ended || !job.allSigned(run.state)) return;
  try {
    await packageJob({ jobId: run.input.jobId });
    run.emit(job.complete(run.state, nowIso()));
  } catch (err) {
    log.error('packaging failed for good', { jobId: run.input.jobId, error: String(err) });
    run.emit(job.failPackaging(run.state, nowIso()));
  }
}

/** Cancelled: everyone who was told of the job and has not signed is told it is withdrawn. */
export function tellCancellation(run: RunningJob): void {
  const { state } = run;
  if (state.failureReason !== 'CANCELLED') return;
  for (const g of state.groups.filter((x) => x.activatedAt)) {
    for (const s of state.signers.filter((x) => x.order === g.order && x.status === 'CANCELLED')) {
      const channels = run.signer(s.id).channels;
      run.inBackground(
        'cancellation notice',
        sendSignerNotice({
          jobId: run.input.jobId,
          signerId: s.id,
          noticeKey: 'CANCELLATION',
          channel: channels.email || !channels.sms ? 'EMAIL' : 'SMS',
          kind: 'CANCELLATION',
          plannedAt: nowIso(),
        }),
      );
    }
  }
}

/** The outcomes of jobs the service could not carry out: their workflows fail, for operators to see. */
const FAILING_OUTCOMES = new Set<JobOutcome>(['RESERVED', 'CONTACT_INFORMATION_MISSING', 'FAILED']);

/**
 * The workflow ends with the job (`ends-with-job-v1`): the signed copies go to the signers'
 * mailboxes (an offer left open is the retention sweep's to re-check), a completed long-term job
 * is handed to the archive, and the retention sweep (./retention-sweep.ts) deletes the documents
 * when their time comes. The result is the job's outcome; a failed job fails the workflow.
 */
export async function endWithJob(run: RunningJob): Promise<JobResult> {
  const { state, input } = run;
  const completed = state.status === 'COMPLETED_SUCCESSFULLY';
  const retainedUntil = retentionDeadline(new Date(state.since), {
    status: state.status,
    longTermStorage: input.longTermStorage,
  });
  if (retainedUntil) state.retentionUntil = retainedUntil.toISOString();
  if (completed) await forwardSignedCopies({ jobId: input.jobId, now: nowIso() });
  if (completed && input.longTermStorage) {
    // The archive renews, deletes (at 50 years or on the sender's request) and bills from here.
    state.retentionUntil = (await handOverToArchive({ jobId: input.jobId })).deleteAfter;
  }
  await run.backgroundFinished();
  await condition(allHandlersFinished);
  const outcome = jobOutcome(state);
  const cause = outcomeCause(state);
  const result: JobResult = { outcome, ...(cause ? { cause } : {}), ...state };
  log.info('signature job ended', { jobId: input.jobId, workflowId: workflowInfo().workflowId, outcome });
  if (FAILING_OUTCOMES.has(outcome)) {
    throw ApplicationFailure.create({ type: outcome, message: cause, nonRetryable: true, details: [result] });
  }
  return result;
}

/** While a mailbox offer is open, the mailbox is asked again this often (runs before ends-with-job-v1). */
const MAILBOX_RECHECK_MS = 24 * 60 * 60 * 1000;

/**
 * Runs started before `ends-with-job-v1`: the workflow keeps the documents until their retention
 * ends (or the sender deletes them), re-checks open mailbox offers, warns the sender, deletes.
 * Before `archive-handoff-v1` the 40 days (50 years with long-term storage) counted from here.
 */
export async function retainUntilDeleted(run: RunningJob): Promise<SignatureJobState> {
  const { state, input } = run;
  const handOff = run.patches.longTermJobsGoToArchive;
  const longTerm = state.status === 'COMPLETED_SUCCESSFULLY' && input.longTermStorage;
  const archived = handOff && longTerm;
  const deleteAt = handOff
    ? (retentionDeadline(new Date(state.since), {
        status: state.status,
        longTermStorage: input.longTermStorage,
      })?.getTime() ?? Date.now())
    : Date.now() + (longTerm ? LONG_TERM_RETENTION_SECONDS : RETENTION_SECONDS) * 1000;
  if (!archived) state.retentionUntil = new Date(deleteAt).toISOString();
  const deletion = () => run.deletionRequested;
  // The signed copy to each SELF signer's digital mailbox; one created within 7 days still gets it.
  if (state.status === 'COMPLETED_SUCCESSFULLY') {
    let forwarded = await forwardSignedCopies({ jobId: input.jobId, now: nowIso() });
    while (forwarded.openOffersUntil && !deletion()) {
      const until = Date.parse(forwarded.openOffersUntil);
      await condition(deletion, Math.max(1, Math.min(MAILBOX_RECHECK_MS, until - Date.now())));
      forwarded = await forwardSignedCopies({ jobId: input.jobId, now: nowIso() });
    }
  }
  // The sender is reminded 4 days before the documents go, if nobody fetched the results.
  const warnAt = documentsExpiryWarningAt(new Date(deleteAt)).getTime();
  if (!archived && warnAt > Date.now() && !(await condition(deletion, warnAt - Date.now()))) {
    run.inBackground(
      'sender notice',
      sendSenderNotice({
        jobId: input.jobId,
        noticeKey: DOCUMENTS_EXPIRE_NOTICE_KEY,
        kind: 'DOCUMENTS_EXPIRE_SOON',
        at: new Date(deleteAt).toISOString(),
      }),
    );
  }
  if (archived && !deletion()) {
    state.retentionUntil = (await handOverToArchive({ jobId: input.jobId })).deleteAfter;
  } else {
    if (!handOff || !deletion()) await condition(deletion, Math.max(1, deleteAt - Date.now()));
    await deleteDocuments({ jobId: input.jobId });
    run.emit(job.markDocumentsDeleted(state, nowIso()));
    await run.flush();
  }
  await run.backgroundFinished();
  log.info('signature job finished', {
    jobId: input.jobId,
    workflowId: workflowInfo().workflowId,
    status: state.status,
  });
  return state;
}
