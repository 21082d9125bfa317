/** Confirming status changes a sender has received (JSON and XML API). */
import type { Db } from '../db/index.js';
import type { Flow } from '../job/model.js';
import { nothingThere } from './refusals.js';
import { confirmStatusChange } from './status-queue.js';

/** Confirms a change (`changeId`) or every handed-out change of the job; 404 for no such change. */
export async function confirmOrRefuse(
  db: Db,
  job: { org: string; flow: Flow; jobId: string },
  changeId?: string,
) {
  const confirmed = await confirmStatusChange(db, {
    ...job,
    ...(changeId === undefined ? {} : { changeId }),
  });
  if (!confirmed) throw nothingThere('no such status change of this job');
}
