/**
 * Heartbeats while an activity works. The workflow gives packaging and notices a heartbeat
 * timeout, so an attempt on a worker that died (kill -9, a lost machine) is retried elsewhere
 * within seconds instead of after the whole start-to-close timeout. A slow but live attempt keeps
 * heartbeating and is not retried beside itself, which would send a notice twice.
 */
import { Context } from '@temporalio/activity';

export async function whileHeartbeating<T>(work: () => Promise<T>, everyMs = 2000): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    // Called outside an activity (unit tests of the functions behind the activities).
    return work();
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
