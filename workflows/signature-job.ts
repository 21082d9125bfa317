/**
 * The signature-job workflow: one per job, telling the job's story (docs/workflow.md): created,
 * activated at its activation time, each signer group in turn with its deadline and notices, then
 * packaged, and ended with the job's outcome as the workflow's result. What the steps share (the
 * state, the update handlers, the recording) is ./running-job.ts; the rules are ./job-state.ts
 * and src/rules.
 *
 * Deterministic code only: time comes from the SDK (`Date.now()` is workflow time here), every
 * side effect is an activity. A change that alters the commands of running jobs goes behind a
 * patch, named below for what it guards (docs/workflow.md, "Patches").
 */
import { condition, deprecatePatch, patched } from '@temporalio/workflow';
import type { SignatureJobInput, SignatureJobState } from '../src/job/model.js';
import type { JobResult } from './definitions.js';
import { endWithJob, packageIfAllSigned, retainUntilDeleted, tellCancellation } from './job-end.js';
import * as job from './job-state.js';
import { nowIso, RunningJob } from './running-job.js';
import { prepareGroup, signGroup } from './signer-group.js';

export { MAX_DEADLINE_EXTENSIONS } from './running-job.js';

/**
 * Notices are sent for real (before: only recorded). Retired: every run open today took it, so the
 * old branch is gone; deprecated, not yet removed, while runs that recorded it may be open.
 */
export const REAL_NOTICES = 'notices-v1';
/** Updates answer only once their effect is recorded in PostgreSQL (the one read model). */
export const UPDATES_AWAIT_RECORDING = 'recorded-updates-v1';
/**
 * A completed long-term job is handed to the long-term archive and its workflow ends (before: a
 * 50-year timer); ordinary retention counts from the job's recorded end.
 */
export const LONG_TERM_JOBS_GO_TO_ARCHIVE = 'archive-handoff-v1';
/**
 * The workflow ends when the job ends, with the outcome as its result; the retention schedule
 * deletes the documents (before: the workflow waited 40 days to delete them).
 */
export const WORKFLOW_ENDS_WITH_JOB = 'ends-with-job-v1';
/**
 * Recording the job's events and preparing a group's signers run as local activities, inside the
 * workflow task that asks for them (before: activity tasks, each a trip through the server).
 */
export const RECORDS_LOCALLY = 'local-recording-v1';

export async function signatureJob(input: SignatureJobInput): Promise<JobResult | SignatureJobState> {
  // Patch markers in the order runs have always recorded them.
  deprecatePatch(REAL_NOTICES);
  const run = new RunningJob(input, {
    updatesAwaitRecording: patched(UPDATES_AWAIT_RECORDING),
    longTermJobsGoToArchive: patched(LONG_TERM_JOBS_GO_TO_ARCHIVE),
    workflowEndsWithJob: patched(WORKFLOW_ENDS_WITH_JOB),
    recordsLocally: patched(RECORDS_LOCALLY),
  });
  run.handleMessages();
  run.emit([{ type: 'JOB_CREATED', at: nowIso() }]);

  // Activation: the activation time applies to the first group only; in the past means now.
  // An immediate activation happens before the first await, so a signer sent to sign right after
  // the job was created (the direct flow's redirect) finds the group already active.
  const activationWaitMs =
    input.flow === 'portal' && input.activationTime ? Date.parse(input.activationTime) - Date.now() : 0;
  if (activationWaitMs > 0) {
    await run.flush();
    await condition(() => run.ended, activationWaitMs);
  }
  if (!run.ended) run.emit(job.activateJob(run.state, nowIso()));

  // The groups in signing order; each gets its full lifetime from its own activation.
  for (let group = 0; group < run.state.groups.length && !run.ended; group++) {
    if (!(await prepareGroup(run, group))) break;
    await signGroup(run, group);
  }

  await packageIfAllSigned(run);
  await run.flush();
  tellCancellation(run);

  if (!run.patches.workflowEndsWithJob) return retainUntilDeleted(run);
  return endWithJob(run);
}
