/**
 * The activities the signature-job workflow calls, each with the retry policy its kind of work
 * needs. One place, so the workflow's modules share the same proxies (and so the same options).
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { NON_RETRYABLE_NOTIFICATION_ERRORS } from '../src/notifications/failures.js';
import { BACKGROUND, PERSON_WAITING } from './task-priority.js';

type Activities = ReturnType<typeof createActivities>;

/** The retries of the quick database writes and reads: until they succeed. */
const UNTIL_DONE = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

/** Recording state and notices: quick database writes, retried until they succeed. */
export const {
  recordEvents,
  sendNotice,
  deleteDocuments,
  prepareSigners,
  forwardSignedCopies,
  handOverToArchive,
} = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: UNTIL_DONE,
});

/**
 * The same recording and the register's look-up as local activities (`local-recording-v1`, see
 * docs/workflow.md): the worker runs them inside the workflow task that asks for them, so a
 * step of the job is one workflow task instead of a task, an activity task and a task again,
 * each a trip through the server and its database. Both are idempotent (events carry their
 * number; the channels keep the first answer), so the replay a lost worker causes repeats
 * nothing. Their retries (at most a minute apart, below the SDK's one-minute threshold for
 * moving them to a workflow timer) run in the worker, which keeps the task alive meanwhile.
 */
export const { recordEvents: recordEventsLocally, prepareSigners: prepareSignersLocally } =
  proxyLocalActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: UNTIL_DONE,
  });

/**
 * Notices run in the background: retried for a day (a mail relay or SMS gateway that is down
 * comes back), without holding up the job; an address that cannot work fails at once. The
 * heartbeat timeout finds an attempt whose worker died within seconds (activities/heartbeat.ts).
 */
export const { sendSignerNotice, sendSenderNotice } = proxyActivities<Activities>({
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

/** Sender callbacks: retried with exponential backoff for up to 24 hours, each attempt logged. */
export const { deliverStatusCallback } = proxyActivities<Activities>({
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

/**
 * Packaging signs and time-stamps large PDFs; a document it cannot process fails for good
 * (DocumentUnprocessable) rather than retrying forever.
 */
export const { packageJob } = proxyActivities<Activities>({
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
