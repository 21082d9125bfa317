/** Taking the next status change of a sender's queue (JSON and XML API). */
import type { Db } from '../db/index.js';
import { PolledTooEarlyError } from './refusals.js';
import { pollStatusQueue, type QueueAddress, type StatusQueueOptions } from './status-queue.js';

/** A poll of the queue: the next change, or none; polling an empty queue too early is refused. */
export async function pollOrRefuse(db: Db, address: QueueAddress, options: StatusQueueOptions) {
  const outcome = await pollStatusQueue(db, address, options);
  if (outcome.kind !== 'too-early') return outcome;
  const waitSeconds = Math.ceil((outcome.nextPermittedAt.getTime() - outcome.now.getTime()) / 1000);
  throw new PolledTooEarlyError(outcome.nextPermittedAt, Math.max(1, waitSeconds));
}
