/**
 * The long-term archive's daily run, started by the `long-term-archive-renewal` schedule
 * (src/archive/schedule.ts): renews every archive time-stamp that is due, bills the storage
 * years begun, then deletes the archived jobs whose 50 years are over (their own workflows ended
 * when they were handed over). All dates come from workflow time, so a replay, or a test that moves the clock,
 * decides the same.
 */
import { continueAsNew, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createArchiveActivities } from '../activities/archive.js';
import { HOUSEKEEPING } from './task-priority.js';

type ArchiveActivities = ReturnType<typeof createArchiveActivities>;

const { dueArchives, billStorageYears, expiredArchives, deleteArchivedJob } =
  proxyActivities<ArchiveActivities>({
    startToCloseTimeout: '1 minute',
    priority: HOUSEKEEPING,
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  });

// One renewal fetches a PAdES, asks the TSA and stores the result: heartbeats find a lost worker.
const { renewArchive } = proxyActivities<ArchiveActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  priority: HOUSEKEEPING,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

/** Archives asked for per round; a long backlog continues as new to keep the history short. */
const BATCH = 100;

/** Patch marking the deletion of archives whose 50 years are over (before: a timer per job). */
export const ARCHIVE_DELETION_PATCH = 'archive-deletion-v1';

export interface ArchiveRenewalResult {
  renewed: number;
  billed: number;
  /** Archives deleted at the end of long-term storage (absent in runs from before the patch). */
  deleted?: number;
}

export async function archiveRenewal(carried: ArchiveRenewalResult = { renewed: 0, billed: 0 }) {
  const now = new Date(Date.now()).toISOString();
  let renewed = carried.renewed;
  for (;;) {
    const due = await dueArchives({ now, limit: BATCH });
    let progress = 0;
    for (const jobId of due) {
      if ((await renewArchive({ jobId, now })) === 'RENEWED') progress++;
    }
    renewed += progress;
    // Nothing more due, or nothing of this round could be renewed (left for tomorrow's run).
    if (due.length < BATCH || progress === 0) break;
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof archiveRenewal>({ renewed, billed: carried.billed });
    }
  }
  const billed = carried.billed + (await billStorageYears({ now }));
  let deleted = carried.deleted ?? 0;
  if (patched(ARCHIVE_DELETION_PATCH)) {
    for (;;) {
      const expired = await expiredArchives({ now, limit: BATCH });
      for (const jobId of expired) {
        if (await deleteArchivedJob({ jobId, now })) deleted++;
      }
      if (expired.length < BATCH) break;
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof archiveRenewal>({ renewed, billed, deleted });
      }
    }
  }
  log.info('long-term archive run finished', { renewed, billed, deleted });
  return { renewed, billed, deleted };
}
