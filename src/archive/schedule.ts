/**
 * The Temporal schedule that keeps the long-term archive alive: once a day it starts the
 * `archiveRenewal` workflow, which renews the time-stamps that are due and bills the storage
 * years begun. A schedule (not a timer in each job's workflow) because the policy is global: an
 * operator can pause it, trigger it, or see its last runs in the Temporal UI, and a changed
 * interval applies to every archived job at the next run.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const ARCHIVE_RENEWAL_SCHEDULE_ID = 'long-term-archive-renewal';
export const ARCHIVE_RENEWAL_WORKFLOW_TYPE = 'archiveRenewal';
/** Every night at 03:15 Oslo time, when the service is quiet. */
export const ARCHIVE_RENEWAL_CRON = '15 3 * * *';

/** Creates the schedule unless it exists; returns which happened. Safe for every worker to call. */
export async function ensureArchiveRenewalSchedule(
  client: Client,
  opts: { taskQueue: string },
): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: ARCHIVE_RENEWAL_SCHEDULE_ID,
      spec: { cronExpressions: [ARCHIVE_RENEWAL_CRON], timezone: 'Europe/Oslo' },
      action: {
        type: 'startWorkflow',
        workflowType: ARCHIVE_RENEWAL_WORKFLOW_TYPE,
        workflowId: ARCHIVE_RENEWAL_SCHEDULE_ID,
        taskQueue: opts.taskQueue,
        args: [],
      },
      // A run still going when the next is due is left to finish; a day missed (server down) is
      // caught up once, not once per missed day.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { description: 'Renews long-term archive time-stamps and bills storage years' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
