/**
 * The activities the signature-job workflow calls, each with the retry policy its kind of work
 * needs. One place, so the workflow's modules share the same proxies (and so the same options).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { NON_RETRYABLE_NOTIFICATION_ERRORS } from '../src/notifications/failures.js';
import { BACKGROUND, PERSON_WAITING } from './task-priority.js';

type Activities = ReturnType<typeof createActivities>;

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
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
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
