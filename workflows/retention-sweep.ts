/**
 * The retention sweep, started every hour by the `document-retention` schedule
 * (src/job/retention-schedule.ts): what follows a job's end once its workflow has closed (since
 * `ends-with-job-v1`, docs/workflow.md). It asks the mailboxes again for signers offered the
 * signed copy, warns senders 4 days before unfetched results go, and deletes the documents of
 * every ended job whose retention deadline (recorded when it ended) has passed. All dates are
 * workflow time, so a replay, or a test that moves the clock, decides the same.
 */
import { continueAsNew, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { DOCUMENTS_EXPIRE_NOTICE_KEY } from '../src/notifications/sender-notice-rules.js';
import { HOUSEKEEPING } from './task-priority.js';

type Activities = ReturnType<typeof createActivities>;

const {
  jobsPastRetention,
  deleteRetainedDocuments,
  jobsToWarnOfDeletion,
  jobsWithOpenMailboxOffers,
  forwardSignedCopies,
} = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  priority: HOUSEKEEPING,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

// The warning is a notice like the others: retried for hours, an address that cannot work fails at once.
const { sendSenderNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  priority: HOUSEKEEPING,
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Jobs asked for per round; a long backlog continues as new to keep the history short. */
const BATCH = 100;

export interface RetentionSweepResult {
  offersRechecked: number;
  warned: number;
  deleted: number;
}

/** `continued`: what the run before this one (continued as new on a long backlog) had done. */
export async function retentionSweep(continued?: RetentionSweepResult): Promise<RetentionSweepResult> {
  const now = new Date(Date.now()).toISOString();
  const done = continued ?? { offersRechecked: 0, warned: 0, deleted: 0 };
  if (!continued) {
    for (const jobId of await jobsWithOpenMailboxOffers({ limit: BATCH })) {
      await forwardSignedCopies({ jobId, now });
      done.offersRechecked++;
    }
    for (const { jobId, retentionUntil } of await jobsToWarnOfDeletion({ now, limit: BATCH })) {
      await sendSenderNotice({
        jobId,
        noticeKey: DOCUMENTS_EXPIRE_NOTICE_KEY,
        kind: 'DOCUMENTS_EXPIRE_SOON',
        at: retentionUntil,
      }).catch((err) => log.warn('documents-expire notice failed for good', { jobId, error: String(err) }));
      done.warned++;
    }
  }
  for (;;) {
    const due = await jobsPastRetention({ now, limit: BATCH });
    let progress = 0;
    for (const jobId of due) if (await deleteRetainedDocuments({ jobId, now })) progress++;
    done.deleted += progress;
    // Nothing more due, or nothing of this round could be deleted (left for the next run).
    if (due.length < BATCH || progress === 0) break;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof retentionSweep>(done);
  }
  log.info('retention sweep finished', { ...done });
  return done;
}
