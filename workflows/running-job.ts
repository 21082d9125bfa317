/**
 * A signature job while its workflow runs: its state (changed only through ./job-state.ts), the
 * events not yet recorded in PostgreSQL, the update handlers that act on it, and the work running
 * in the background. The workflow function (./signature-job.ts) drives it through the job's story;
 * this holds what every step of that story shares.
 */
import { ApplicationFailure, condition, log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import {
  DEFAULT_AVAILABLE_SECONDS,
  MAX_AVAILABLE_SECONDS,
  type NotificationChannels,
  type SignatureJobInput,
  type SignatureJobState,
  type WorkflowSigner,
} from '../src/job/model.js';
import { SIGNATURE_JOB_STATUS } from '../src/job/search-attributes.js';
import { extensionRefusal } from '../src/rules/deadline-extension.js';
import { nextStepInWords } from '../src/rules/next-step.js';
import { jobOutcome } from '../src/rules/outcome.js';
import { deliverStatusCallback, recordEvents, recordEventsLocally, sendSenderNotice } from './activities.js';
import { MovableDeadline } from './deadline.js';
import {
  cancelUpdate,
  deleteDocumentsUpdate,
  extendDeadlineUpdate,
  type JobStatusView,
  type RefusalType,
  rejectUpdate,
  signerFailedUpdate,
  signUpdate,
  statusQuery,
} from './definitions.js';
import * as job from './job-state.js';

/** How often the sender may extend one group's deadline: keeps every history bounded. */
export const MAX_DEADLINE_EXTENSIONS = 10;

/** Which patched branches this run takes (read once, at the start: see docs/workflow.md). */
export interface JobPatches {
  /** Updates answer only once their events are recorded (`recorded-updates-v1`). */
  updatesAwaitRecording: boolean;
  /** Ordinary retention counts from the recorded end; long-term jobs go to the archive (`archive-handoff-v1`). */
  longTermJobsGoToArchive: boolean;
  /** The workflow ends when the job ends; a schedule deletes the documents (`ends-with-job-v1`). */
  workflowEndsWithJob: boolean;
  /** Recording and preparing the signers run as local activities (`local-recording-v1`). */
  recordsLocally: boolean;
}

export class RunningJob {
  readonly state: SignatureJobState;
  /** Each group's lifetime from its own activation; the direct flow's is always 30 days. */
  readonly lifetimeSeconds: number;
  /** The active group's deadline, which the sender's extension moves. */
  readonly deadline = new MovableDeadline();
  /** The channels of each signer as their group's preparation found them. */
  readonly channels = new Map<string, NotificationChannels>();
  /** Signers of the active group who have been sent a notice. */
  readonly notified = new Set<string>();
  /** Extensions of the active group's deadline so far (capped: MAX_DEADLINE_EXTENSIONS). */
  extensions = 0;
  /** The sender asked for the documents to be deleted (runs from before `ends-with-job-v1`). */
  deletionRequested = false;

  readonly #signers: Map<string, WorkflowSigner>;
  /** Events not yet written to PostgreSQL, each numbered so a retried write is recorded once. */
  readonly #outbox: (job.JobEvent & { seq: number })[] = [];
  #seq = 0;
  /** The highest event number written to PostgreSQL; an update waits until its events are. */
  #recordedSeq = 0;
  #indexedStatus: SignatureJobState['status'];
  /** Work that must not hold up the job (notices, callbacks): started, then awaited at the end. */
  readonly #background = new Set<Promise<unknown>>();

  constructor(
    readonly input: SignatureJobInput,
    readonly patches: JobPatches,
  ) {
    this.state = job.initialState(input, nowIso());
    this.#indexedStatus = this.state.status;
    this.#signers = new Map(input.signers.map((s) => [s.id, s]));
    this.lifetimeSeconds = input.flow === 'direct' ? DEFAULT_AVAILABLE_SECONDS : input.availableSeconds;
    for (const s of input.signers) this.channels.set(s.id, s.channels);
  }

  get ended(): boolean {
    return job.isEnded(this.state);
  }

  get hasUnrecorded(): boolean {
    return this.#outbox.length > 0;
  }

  signer(id: string): WorkflowSigner {
    return this.#signers.get(id)!;
  }

  emit(events: job.JobEvent[]): void {
    for (const e of events) this.#outbox.push({ ...e, seq: ++this.#seq });
  }

  /** Writes pending events to PostgreSQL and mirrors the job status into the search attributes. */
  async flush(): Promise<void> {
    const { jobId } = this.input;
    const record = this.patches.recordsLocally ? recordEventsLocally : recordEvents;
    while (this.#outbox.length > 0) {
      const batch = this.#outbox.splice(0);
      const recorded = await record({
        jobId,
        events: batch,
        status: this.state.status,
        signers: this.state.signers,
      });
      this.#recordedSeq = Math.max(this.#recordedSeq, ...batch.map((e) => e.seq));
      if (recorded?.statusChangeSeq !== undefined) {
        const seq = recorded.statusChangeSeq;
        this.inBackground('callback', deliverStatusCallback({ jobId, seq }));
        if (batch.some((e) => e.type === 'JOB_STATUS')) {
          this.inBackground(
            'sender notice',
            sendSenderNotice({
              jobId,
              noticeKey: `status:${seq}`,
              kind: 'STATUS_CHANGED',
              status: this.state.status,
            }),
          );
        }
      }
    }
    if (this.#indexedStatus !== this.state.status) {
      upsertSearchAttributes([{ key: SIGNATURE_JOB_STATUS, value: this.state.status }]);
      this.#indexedStatus = this.state.status;
    }
  }

  inBackground(what: string, work: Promise<unknown>): void {
    const tracked = work.catch((err) =>
      log.warn(`${what} failed for good`, { jobId: this.input.jobId, error: String(err) }),
    );
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  /** Notices and callbacks still under way finish (or give up). */
  async backgroundFinished(): Promise<void> {
    await Promise.all([...this.#background]);
  }

  /** An update's answer, once its events are recorded (so a read right after it shows them). */
  async #recorded<T>(answer: () => T): Promise<T> {
    const mine = this.#seq;
    if (this.patches.updatesAwaitRecording) await condition(() => this.#recordedSeq >= mine);
    return answer();
  }

  /** The status query: the whole state, with what the job waits for in words. */
  statusView(): JobStatusView {
    const { state } = this;
    const active = state.activeGroup === undefined ? undefined : state.groups[state.activeGroup];
    const waitingFor = nextStepInWords(
      {
        status: state.status,
        flow: state.flow,
        // The job completes only once its results are packaged.
        hasPades: state.status === 'COMPLETED_SUCCESSFULLY',
        activeOrder: active?.order ?? null,
        groupActivatedAt: active?.activatedAt ? new Date(active.activatedAt) : null,
        deadline: active?.deadline ? new Date(active.deadline) : null,
        signers: state.signers.map((s, i) => ({
          id: s.id,
          number: i + 1,
          name: null,
          order: s.order,
          status: s.status,
          channels: this.channels.get(s.id) ?? null,
          notified: this.notified.has(s.id),
        })),
      },
      state.activationTime,
    );
    return { outcome: jobOutcome(state), waitingFor, ...state };
  }

  /** The query and the updates: each update's validator refuses what the job's rules forbid. */
  handleMessages(): void {
    const { state, input } = this;
    setHandler(statusQuery, () => this.statusView());
    const mayAct = (signerId: string) => {
      const refusal = job.refusalToAct(state, signerId);
      if (refusal) refuse(refusal, refusalMessage(refusal));
    };
    setHandler(
      signUpdate,
      ({ signerId }) => {
        this.emit(job.sign(state, signerId, nowIso()));
        return this.#recorded(() => signerState(state, signerId));
      },
      { validator: ({ signerId }) => mayAct(signerId) },
    );
    setHandler(
      rejectUpdate,
      ({ signerId, reason }) => {
        this.emit(job.reject(state, signerId, nowIso(), reason));
        return this.#recorded(() => signerState(state, signerId));
      },
      { validator: ({ signerId }) => mayAct(signerId) },
    );
    setHandler(
      signerFailedUpdate,
      ({ signerId, status }) => {
        this.emit(job.failSigner(state, signerId, status, nowIso()));
        return this.#recorded(() => signerState(state, signerId));
      },
      {
        validator: ({ signerId, status }) => {
          // Wrong one-time codes delay the next try and never end a job: a forwarded link must
          // not let anyone end someone else's job. A refused update leaves no event, and a
          // validator is not run when an accepted update is replayed, so the histories of jobs
          // that took a BLOCKED before this still replay, with no patch.
          if (status === 'BLOCKED') refuse('CODES_NEVER_BLOCK', 'wrong one-time codes do not end a job');
          mayAct(signerId);
        },
      },
    );
    setHandler(
      cancelUpdate,
      () => {
        this.emit(job.cancel(state, nowIso()));
        return this.#recorded(() => state);
      },
      {
        validator: () => {
          if (input.flow !== 'portal') refuse('NOT_PORTAL_JOB', 'only portal jobs can be cancelled');
          // Once every signer has signed the job is complete, even while its results are packaged.
          if (job.isEnded(state) || job.allSigned(state)) refuse('JOB_ENDED', 'the job has already ended');
        },
      },
    );
    setHandler(
      extendDeadlineUpdate,
      ({ availableSeconds }) => {
        const group = state.groups[state.activeGroup!]!;
        const deadline = Date.parse(group.activatedAt!) + availableSeconds * 1000;
        this.emit(job.extendDeadline(state, new Date(deadline).toISOString(), nowIso()));
        this.deadline.move(deadline);
        this.extensions++;
        return this.#recorded(() => group);
      },
      { validator: ({ availableSeconds }) => this.#refuseExtension(availableSeconds) },
    );
    setHandler(
      deleteDocumentsUpdate,
      () => {
        this.deletionRequested = true;
        return state;
      },
      {
        validator: () => {
          if (!job.isEnded(state))
            refuse('JOB_NOT_ENDED', 'documents can be deleted only after the job has ended');
          // Since ends-with-job-v1 the workflow no longer holds the documents once the job ended:
          // the service deletes them itself (src/services/delete-documents.ts, deleteJobDocuments).
          if (this.patches.workflowEndsWithJob)
            refuse('JOB_ENDED', 'the job has ended and its workflow no longer holds the documents');
        },
      },
    );
  }

  #refuseExtension(availableSeconds: number): void {
    const { state } = this;
    if (this.input.flow !== 'portal') refuse('NOT_PORTAL_JOB', 'only portal jobs have deadlines to extend');
    if (job.isEnded(state) || job.allSigned(state)) refuse('JOB_ENDED', 'the job has already ended');
    const group = state.activeGroup === undefined ? undefined : state.groups[state.activeGroup];
    if (!group?.activatedAt) refuse('JOB_NOT_ACTIVE', 'no group is active yet');
    if (this.extensions >= MAX_DEADLINE_EXTENSIONS) {
      refuse(
        'TOO_MANY_EXTENSIONS',
        `availableSeconds: a group's deadline can be extended at most ${MAX_DEADLINE_EXTENSIONS} times`,
      );
    }
    if (
      !Number.isInteger(availableSeconds) ||
      availableSeconds < 1 ||
      availableSeconds > MAX_AVAILABLE_SECONDS
    ) {
      refuse('INVALID_DEADLINE', `availableSeconds must be an integer from 1 to ${MAX_AVAILABLE_SECONDS}`);
    }
    const newDeadline = Date.parse(group.activatedAt) + availableSeconds * 1000;
    if (newDeadline <= Date.now()) refuse('INVALID_DEADLINE', 'the new deadline would already have passed');
    // Extend only extends: refusing leaves no history, so running jobs need no patch for it.
    const shorter = extensionRefusal({
      activatedAt: group.activatedAt,
      deadline: group.deadline ?? group.activatedAt,
      availableSeconds,
    });
    if (shorter) refuse(shorter.code, shorter.message);
  }
}

export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

function refuse(type: RefusalType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function signerState(state: SignatureJobState, signerId: string) {
  return state.signers.find((s) => s.id === signerId)!;
}

function refusalMessage(refusal: RefusalType): string {
  switch (refusal) {
    case 'UNKNOWN_SIGNER':
      return 'no such signer in this job';
    case 'ALREADY_ACTED':
      return 'the signer has already signed or rejected, or may no longer act';
    case 'JOB_ENDED':
      return 'the job has ended';
    case 'JOB_NOT_ACTIVE':
      return 'the job is not active yet';
    case 'NOT_SIGNERS_TURN':
      return "it is not this signer's turn: an earlier group has not signed yet";
    default:
      return refusal;
  }
}
