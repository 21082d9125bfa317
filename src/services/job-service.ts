/**
 * What every job use case shares: the services they are given, the errors the adapters answer
 * (not found, conflict, invalid input), and running a workflow update. One use case per file
 * beside this one (create-job.ts, find-job.ts, cancel-job.ts, extend-deadline.ts, ...).
 */
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/index.js';
import { type FieldIssue, workflowIdForJob } from '../job/model.js';

export interface JobServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue?: string;
}

/** The job does not exist, or belongs to another organisation (indistinguishable on purpose). */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super('no such signature job');
    this.name = 'JobNotFoundError';
  }
}

/** The action is not allowed in the job's current state (the API's 409). */
export class JobConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobConflictError';
  }
}

/** The job is well-formed but refused by a rule that looks outside it (the API's 400, naming each field). */
export class JobInputError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'JobInputError';
  }
}

/** Runs a workflow update, turning a validator's refusal into a JobConflictError. */
export async function runUpdate<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new JobConflictError(err.cause.type ?? 'CONFLICT', err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new JobConflictError('JOB_ENDED', 'the job has ended and its workflow is closed');
    }
    throw err;
  }
}

export function handleOf(deps: JobServiceDeps, jobId: string) {
  return deps.temporal.workflow.getHandle(workflowIdForJob(jobId));
}
