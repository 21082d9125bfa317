/**
 * The Temporal schedule that deletes documents on time: every hour it starts the
 * `retentionSweep` workflow (workflows/retention-sweep.ts), which deletes the documents of every
 * ended job whose retention deadline has passed, warns senders 4 days before, and re-checks open
 * mailbox offers. A schedule, not a timer in each job's workflow, so a job's workflow ends when
 * the job ends (docs/workflow.md); operators see, pause or trigger it under Schedules.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const RETENTION_SCHEDULE_ID = 'document-retention';
export const RETENTION_WORKFLOW_TYPE = 'retentionSweep';
/** Documents are deleted at most this long after their retention deadline. */
export const RETENTION_SWEEP_INTERVAL = '1 hour';

/** Creates the schedule unless it exists; returns which happened. Safe for every worker to call. */
export async function ensureRetentionSchedule(
  client: Client,
  opts: { taskQueue: string },
): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: RETENTION_SWEEP_INTERVAL }] },
      action: {
        type: 'startWorkflow',
        workflowType: RETENTION_WORKFLOW_TYPE,
        workflowId: RETENTION_SCHEDULE_ID,
        taskQueue: opts.taskQueue,
        args: [],
      },
      // A sweep still going when the next is due is left to finish; missed hours (server down)
      // are caught up once: one sweep deletes everything then due.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { description: 'Deletes documents whose retention has ended; warns senders 4 days before' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
