/**
 * The signature-job workflow: one per job, owning its whole life (docs/domain.md): the activation
 * timer, the chained signer groups with a deadline each, the notices, the terminating actions
 * (rejection, expiry, cancellation), the packaging of the results and their retention.
 *
 * Deterministic code only: time comes from the SDK (`Date.now()` is workflow time here), every
 * side effect is an activity. The rules themselves live in ./job-state.ts and src/rules.
 */
import {
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import {
  DEFAULT_AVAILABLE_SECONDS,
  LONG_TERM_RETENTION_SECONDS,
  MAX_AVAILABLE_SECONDS,
  RETENTION_SECONDS,
  type SignatureJobInput,
  type SignatureJobState,
  type WorkflowSigner,
} from '../src/job/model.js';
import { retentionDeadline } from '../src/job/retention.js';
import { SIGNATURE_JOB_STATUS } from '../src/job/search-attributes.js';
import { NON_RETRYABLE_NOTIFICATION_ERRORS } from '../src/notifications/failures.js';
import {
  documentsExpiryWarningAt,
  deadlineWarningAt as senderDeadlineWarning,
} from '../src/notifications/sender-notice-rules.js';
import { extensionRefusal } from '../src/rules/deadline-extension.js';
import { noticeSchedule, type PlannedNotice } from '../src/rules/reminders.js';
import {
  cancelUpdate,
  deleteDocumentsUpdate,
  extendDeadlineUpdate,
  type RefusalType,
  rejectUpdate,
  signerFailedUpdate,
  signUpdate,
  statusQuery,
} from './definitions.js';
import * as job from './job-state.js';
import { BACKGROUND, PERSON_WAITING } from './task-priority.js';

type Activities = ReturnType<typeof createActivities>;

// Recording state and notices: quick database writes, retried until they succeed.
const { recordEvents, sendNotice, deleteDocuments, prepareSigners, forwardSignedCopies, handOverToArchive } =
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

// Notices run in the background: retried for a day (a mail relay or SMS gateway that is down
// comes back), without holding up the job; an address that cannot work fails at once.
// The heartbeat timeout finds an attempt whose worker died within seconds (activities/heartbeat.ts).
const { sendSignerNotice, sendSenderNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  priority: BACKGROUND,
  heartbeatTimeout: '15 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 minutes',
    nonRetryableErrorTypes: [...NON_RETRYABLE_NOTIFICATION_ERRORS],
  },
});

// Sender callbacks: retried with exponential backoff for up to 24 hours, each attempt logged.
const { deliverStatusCallback } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  priority: BACKGROUND,
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    nonRetryableErrorTypes: [...NON_RETRYABLE_NOTIFICATION_ERRORS],
  },
});

/** Patch marking real notice delivery (see docs/workflow.md). */
export const NOTICES_PATCH = 'notices-v1';
/**
 * Patch marking updates that return only once their effect is recorded in PostgreSQL (the one read
 * model), so a read right after a sign, reject, cancel or extend shows it.
 */
export const RECORDED_UPDATES_PATCH = 'recorded-updates-v1';
/**
 * Patch marking the bounded life: a completed job with long-term storage is handed to the
 * long-term archive and its workflow ends (instead of a 50-year timer); ordinary retention counts
 * from the job's end as recorded.
 */
export const ARCHIVE_HANDOFF_PATCH = 'archive-handoff-v1';

/** How often the sender may extend one group's deadline: keeps every history bounded. */
export const MAX_DEADLINE_EXTENSIONS = 10;

// Packaging signs and time-stamps large PDFs; a document it cannot process fails for good
// (DocumentUnprocessable) rather than retrying forever.
const { packageJob } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  priority: PERSON_WAITING,
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['DocumentUnprocessable'],
  },
});

const DIRECT_LIFETIME_SECONDS = DEFAULT_AVAILABLE_SECONDS;

export async function signatureJob(input: SignatureJobInput): Promise<SignatureJobState> {
  const state = job.initialState(input, nowIso());
  const signersById = new Map<string, WorkflowSigner>(input.signers.map((s) => [s.id, s]));
  const lifetimeSeconds = input.flow === 'direct' ? DIRECT_LIFETIME_SECONDS : input.availableSeconds;

  // Events not yet written to PostgreSQL, each numbered so a retried write is recorded once.
  const outbox: (job.JobEvent & { seq: number })[] = [];
  let seq = 0;
  const emit = (events: job.JobEvent[]) => {
    for (const e of events) outbox.push({ ...e, seq: ++seq });
  };
  let deadlineMoved = false;
  let deletionRequested = false;
  // Extensions of the active group's deadline so far (capped: MAX_DEADLINE_EXTENSIONS).
  let extensions = 0;

  // Real notices, contact look-ups, mailbox forwarding, callbacks and sender notices came with
  // this patch; histories from before it replay the recording-only notices.
  const notify = patched(NOTICES_PATCH);
  const awaitRecording = patched(RECORDED_UPDATES_PATCH);
  const handOff = patched(ARCHIVE_HANDOFF_PATCH);

  // The highest event number written to PostgreSQL; an update waits until its events are.
  let recordedSeq = 0;
  const recorded = async <T>(result: () => T): Promise<T> => {
    const mine = seq;
    if (awaitRecording) await condition(() => recordedSeq >= mine);
    return result();
  };

  const refuse = (type: RefusalType, message: string): never => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  };
  const refuseUnlessMayAct = (signerId: string) => {
    const refusal = job.refusalToAct(state, signerId);
    if (refusal) refuse(refusal, refusalMessage(refusal));
  };

  setHandler(statusQuery, () => state);
  setHandler(
    signUpdate,
    ({ signerId }) => {
      emit(job.sign(state, signerId, nowIso()));
      return recorded(() => signerState(state, signerId));
    },
    { validator: ({ signerId }) => refuseUnlessMayAct(signerId) },
  );
  setHandler(
    rejectUpdate,
    ({ signerId, reason }) => {
      emit(job.reject(state, signerId, nowIso(), reason));
      return recorded(() => signerState(state, signerId));
    },
    { validator: ({ signerId }) => refuseUnlessMayAct(signerId) },
  );
  setHandler(
    signerFailedUpdate,
    ({ signerId, status }) => {
      emit(job.failSigner(state, signerId, status, nowIso()));
      return recorded(() => signerState(state, signerId));
    },
    {
      validator: ({ signerId, status }) => {
        // Wrong one-time codes delay the next try and never end a job: a forwarded link must
        // not let anyone end someone else's job. A refused update leaves no event, and a
        // validator is not run when an accepted update is replayed, so the histories of jobs that
        // took a BLOCKED before this still replay, with no patch.
        if (status === 'BLOCKED') refuse('CODES_NEVER_BLOCK', 'wrong one-time codes do not end a job');
        refuseUnlessMayAct(signerId);
      },
    },
  );
  setHandler(
    cancelUpdate,
    () => {
      emit(job.cancel(state, nowIso()));
      return recorded(() => state);
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
      const deadline = new Date(Date.parse(group.activatedAt!) + availableSeconds * 1000).toISOString();
      emit(job.extendDeadline(state, deadline, nowIso()));
      deadlineMoved = true;
      extensions++;
      return recorded(() => group);
    },
    {
      validator: ({ availableSeconds }) => {
        if (input.flow !== 'portal') refuse('NOT_PORTAL_JOB', 'only portal jobs have deadlines to extend');
        if (job.isEnded(state) || job.allSigned(state)) refuse('JOB_ENDED', 'the job has already ended');
        const group = state.activeGroup === undefined ? undefined : state.groups[state.activeGroup];
        if (!group?.activatedAt) refuse('JOB_NOT_ACTIVE', 'no group is active yet');
        if (extensions >= MAX_DEADLINE_EXTENSIONS) {
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
          refuse(
            'INVALID_DEADLINE',
            `availableSeconds must be an integer from 1 to ${MAX_AVAILABLE_SECONDS}`,
          );
        }
        const newDeadline = Date.parse(group!.activatedAt!) + availableSeconds * 1000;
        if (newDeadline <= Date.now())
          refuse('INVALID_DEADLINE', 'the new deadline would already have passed');
        // Extend only extends: refusing leaves no history, so running jobs need no patch for it.
        const shorter = extensionRefusal({
          activatedAt: group!.activatedAt!,
          deadline: group!.deadline ?? group!.activatedAt!,
          availableSeconds,
        });
        if (shorter) refuse(shorter.code, shorter.message);
      },
    },
  );
  setHandler(
    deleteDocumentsUpdate,
    () => {
      deletionRequested = true;
      return state;
    },
    {
      validator: () => {
        if (!job.isEnded(state))
          refuse('JOB_NOT_ENDED', 'documents can be deleted only after the job has ended');
      },
    },
  );

  // Work that must not hold up the job (notices, callbacks): started, then awaited at the end.
  const background = new Set<Promise<unknown>>();
  const inBackground = (what: string, p: Promise<unknown>) => {
    const tracked = p.catch((err) =>
      log.warn(`${what} failed for good`, { jobId: input.jobId, error: String(err) }),
    );
    background.add(tracked);
    void tracked.finally(() => background.delete(tracked));
  };

  /** Writes pending events to PostgreSQL and mirrors the job status into the search attributes. */
  let indexedStatus = state.status;
  const flush = async () => {
    while (outbox.length > 0) {
      const batch = outbox.splice(0);
      const recorded = await recordEvents({
        jobId: input.jobId,
        events: batch,
        status: state.status,
        signers: state.signers,
      });
      recordedSeq = Math.max(recordedSeq, ...batch.map((e) => e.seq));
      if (notify && recorded?.statusChangeSeq !== undefined) {
        const changeSeq = recorded.statusChangeSeq;
        inBackground('callback', deliverStatusCallback({ jobId: input.jobId, seq: changeSeq }));
        if (batch.some((e) => e.type === 'JOB_STATUS')) {
          inBackground(
            'sender notice',
            sendSenderNotice({
              jobId: input.jobId,
              noticeKey: `status:${changeSeq}`,
              kind: 'STATUS_CHANGED',
              status: state.status,
            }),
          );
        }
      }
    }
    if (indexedStatus !== state.status) {
      upsertSearchAttributes([{ key: SIGNATURE_JOB_STATUS, value: state.status }]);
      indexedStatus = state.status;
    }
  };

  emit([{ type: 'JOB_CREATED', at: nowIso() }]);

  // Activation: the activation time applies to the first group only; in the past means now.
  // An immediate activation happens before the first await, so a signer sent to sign right after
  // the job was created (the direct flow's redirect) finds the group already active.
  const activationWaitMs =
    input.flow === 'portal' && input.activationTime ? Date.parse(input.activationTime) - Date.now() : 0;
  if (activationWaitMs > 0) {
    await flush();
    await condition(() => job.isEnded(state), activationWaitMs);
  }
  if (!job.isEnded(state)) emit(job.activateJob(state, nowIso()));

  // The groups in signing order; each gets its full lifetime from its own activation.
  for (let group = 0; group < state.groups.length && !job.isEnded(state); group++) {
    let groupSigners = job.signersOfGroup(state, group).map((s) => signersById.get(s.id)!);

    // Portal signers must be reachable before their group is shown to them: a reserved person,
    // or one without contact details, fails the job before anyone of the group is told.
    if (notify && input.flow === 'portal') {
      await flush();
      const prepared = await prepareSigners({ jobId: input.jobId, signerIds: groupSigners.map((s) => s.id) });
      const unreachable = prepared.flatMap((p) =>
        p.outcome === 'OK' ? [] : [{ signerId: p.signerId, outcome: p.outcome }],
      );
      if (unreachable.length > 0 || job.isEnded(state)) {
        if (!job.isEnded(state)) emit(job.contactFailure(state, unreachable, nowIso()));
        break;
      }
      const channels = new Map(prepared.map((p) => [p.signerId, p.channels]));
      groupSigners = groupSigners.map((s) => ({ ...s, channels: channels.get(s.id) ?? s.channels }));
    }

    const activatedAt = Date.now();
    extensions = 0;
    const deadlineOf = () => Date.parse(state.groups[group]!.deadline!);
    emit(
      job.activateGroup(state, group, nowIso(), new Date(activatedAt + lifetimeSeconds * 1000).toISOString()),
    );
    await flush();

    const planOf = () =>
      planNotices(groupSigners, activatedAt, deadlineOf(), notify ? senderDeadlineWarning : undefined);
    let plan = input.flow === 'portal' ? planOf() : [];
    const sent = new Set<string>();

    while (!job.isEnded(state) && !job.groupSigned(state, group)) {
      // Send what is due (at activation: the first notices), oldest first.
      for (const notice of plan) {
        if (notice.at > Date.now() || sent.has(sentKey(notice))) continue;
        if (job.isEnded(state)) break;
        sent.add(sentKey(notice));
        if (notice.signerId === SENDER) {
          inBackground(
            'sender notice',
            sendSenderNotice({
              jobId: input.jobId,
              noticeKey: `deadline:${group}:${notice.key}`,
              kind: 'DEADLINE_SOON',
              at: new Date(deadlineOf()).toISOString(),
            }),
          );
          continue;
        }
        if (signerStatus(state, notice.signerId) !== 'WAITING') continue;
        const args = {
          jobId: input.jobId,
          signerId: notice.signerId,
          noticeKey: notice.key,
          channel: notice.channel,
          kind: notice.kind,
          plannedAt: new Date(notice.at).toISOString(),
        };
        if (!notify) {
          await sendNotice(args);
          continue;
        }
        // Sent in the background: a slow mail relay must not hold up the group's deadline.
        const signerId = notice.signerId;
        inBackground(
          'notice',
          sendSignerNotice({ ...args, deadline: new Date(deadlineOf()).toISOString() }).then(
            ({ outcome }) => {
              // The register says the person can no longer be reached: the job cannot go on.
              if (
                (outcome === 'RESERVED' || outcome === 'CONTACT_INFORMATION_MISSING') &&
                job.refusalToAct(state, signerId) === null
              ) {
                emit(job.contactFailure(state, [{ signerId, outcome }], nowIso()));
              }
            },
          ),
        );
      }

      const nextNotice = plan.find((n) => !sent.has(sentKey(n)) && n.at > Date.now());
      const wakeAt = Math.min(deadlineOf(), nextNotice?.at ?? Number.POSITIVE_INFINITY);
      const woken = await condition(
        () => outbox.length > 0 || deadlineMoved || job.isEnded(state) || job.groupSigned(state, group),
        // condition() treats a timeout of 0 as "no timeout": wait at least a millisecond.
        Math.max(1, wakeAt - Date.now()),
      );
      await flush();
      if (deadlineMoved) {
        deadlineMoved = false;
        // Reminders of the old deadline that were not sent are replaced by those of the new one.
        plan = planOf().filter((n) => n.kind !== 'ACTIVATION' && n.at >= Date.now());
        continue;
      }
      if (!woken && Date.now() >= deadlineOf() && !job.isEnded(state) && !job.groupSigned(state, group)) {
        emit(job.expire(state, nowIso()));
        await flush();
      }
    }
  }

  if (!job.isEnded(state) && job.allSigned(state)) {
    try {
      await packageJob({ jobId: input.jobId });
      emit(job.complete(state, nowIso()));
    } catch (err) {
      log.error('packaging failed for good', { jobId: input.jobId, error: String(err) });
      emit(job.failPackaging(state, nowIso()));
    }
  }
  await flush();

  // Cancelled: everyone who was told of the job and has not signed is told it is withdrawn.
  if (notify && state.failureReason === 'CANCELLED') {
    for (const g of state.groups.filter((x) => x.activatedAt)) {
      for (const s of state.signers.filter((x) => x.order === g.order && x.status === 'CANCELLED')) {
        const channels = signersById.get(s.id)!.channels;
        inBackground(
          'cancellation notice',
          sendSignerNotice({
            jobId: input.jobId,
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

  // Retention: the documents stay until the deadline (or until the sender deletes them). Since
  // ARCHIVE_HANDOFF_PATCH, 40 days count from the job's recorded end (as the read model shows
  // them), and a completed long-term job is the long-term archive's: its workflow ends below.
  const archived = handOff && state.status === 'COMPLETED_SUCCESSFULLY' && input.longTermStorage;
  const keepSeconds =
    state.status === 'COMPLETED_SUCCESSFULLY' && input.longTermStorage
      ? LONG_TERM_RETENTION_SECONDS
      : RETENTION_SECONDS;
  const retainedUntil = handOff
    ? retentionDeadline(new Date(state.since), {
        status: state.status,
        longTermStorage: input.longTermStorage,
      })
    : undefined;
  const deleteAt = handOff ? (retainedUntil?.getTime() ?? Date.now()) : Date.now() + keepSeconds * 1000;
  if (!archived) state.retentionUntil = new Date(deleteAt).toISOString();
  if (notify) {
    // The signed copy to each SELF signer's digital mailbox; one created within 7 days still gets it.
    if (state.status === 'COMPLETED_SUCCESSFULLY') {
      let forwarded = await forwardSignedCopies({ jobId: input.jobId, now: nowIso() });
      while (forwarded.openOffersUntil && !deletionRequested) {
        const until = Date.parse(forwarded.openOffersUntil);
        await condition(
          () => deletionRequested,
          Math.max(1, Math.min(MAILBOX_RECHECK_MS, until - Date.now())),
        );
        forwarded = await forwardSignedCopies({ jobId: input.jobId, now: nowIso() });
      }
    }
    // The sender is reminded 4 days before the documents go, if nobody fetched the results.
    const warnAt = documentsExpiryWarningAt(new Date(deleteAt)).getTime();
    if (
      !archived &&
      warnAt > Date.now() &&
      !(await condition(() => deletionRequested, warnAt - Date.now()))
    ) {
      inBackground(
        'sender notice',
        sendSenderNotice({
          jobId: input.jobId,
          noticeKey: 'documents-expire',
          kind: 'DOCUMENTS_EXPIRE_SOON',
          at: new Date(deleteAt).toISOString(),
        }),
      );
    }
  }
  if (archived && !deletionRequested) {
    // The archive renews, deletes (at 50 years or on the sender's request) and bills from here.
    const { deleteAfter } = await handOverToArchive({ jobId: input.jobId });
    state.retentionUntil = deleteAfter;
    return finish();
  }
  if (!handOff || !deletionRequested) {
    await condition(() => deletionRequested, Math.max(1, deleteAt - Date.now()));
  }
  await deleteDocuments({ jobId: input.jobId });
  emit(job.markDocumentsDeleted(state, nowIso()));
  await flush();
  return finish();

  /** Notices and callbacks still under way finish (or give up) before the workflow closes. */
  async function finish(): Promise<SignatureJobState> {
    await Promise.all([...background]);
    log.info('signature job finished', {
      jobId: input.jobId,
      workflowId: workflowInfo().workflowId,
      status: state.status,
    });
    return state;
  }
}

/** The pseudo-signer id of notices to the sender in a group's plan. */
const SENDER = '';
/** While a mailbox offer is open, the mailbox is asked again this often. */
const MAILBOX_RECHECK_MS = 24 * 60 * 60 * 1000;

interface ScheduledNotice {
  key: string;
  signerId: string;
  at: number;
  channel: PlannedNotice['channel'];
  kind: PlannedNotice['kind'];
}

/** When the sender is warned of a group's deadline (24 h before, for lifetimes over 48 h). */
type SenderWarning = (activatedAt: Date, deadline: Date) => Date | undefined;

/**
 * Every notice of a group in time order: per signer by that signer's channels, and the sender's
 * deadline warning when there is one.
 */
function planNotices(
  signers: WorkflowSigner[],
  activatedAt: number,
  deadline: number,
  senderWarning?: SenderWarning,
): ScheduledNotice[] {
  const notices: ScheduledNotice[] = signers.flatMap((signer) =>
    noticeSchedule({
      activatedAt: new Date(activatedAt),
      deadline: new Date(deadline),
      channels: signer.channels,
    }).map((n) => ({
      // The planned time is part of the key: a notice moved by an extension is a new notice.
      key: `${n.kind}:${n.channel}:${n.at.toISOString()}`,
      signerId: signer.id,
      at: n.at.getTime(),
      channel: n.channel,
      kind: n.kind,
    })),
  );
  const warning = senderWarning?.(new Date(activatedAt), new Date(deadline));
  if (warning) {
    notices.push({
      key: `DEADLINE_SOON:${warning.toISOString()}`,
      signerId: SENDER,
      at: warning.getTime(),
      channel: 'EMAIL',
      kind: 'REMINDER',
    });
  }
  return notices.sort((a, b) => a.at - b.at);
}

const sentKey = (n: ScheduledNotice) => `${n.signerId}/${n.key}`;

function signerState(state: SignatureJobState, signerId: string) {
  return state.signers.find((s) => s.id === signerId)!;
}

function signerStatus(state: SignatureJobState, signerId: string) {
  return signerState(state, signerId).status;
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
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
