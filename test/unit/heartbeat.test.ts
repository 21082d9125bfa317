/**
 * The heartbeat interceptor, in the SDK's mock activity context: it beats for activities given a
 * heartbeat timeout, often enough to stay inside it, and sends nothing for the others.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { heartbeatInterceptor } from '../../activities/heartbeat.js';

async function beatsDuring(heartbeatTimeoutMs: number | undefined, workMs: number) {
  const env = new MockActivityEnvironment(heartbeatTimeoutMs ? { heartbeatTimeoutMs } : {});
  let beats = 0;
  env.on('heartbeat', () => beats++);
  const { inbound } = heartbeatInterceptor()({} as never);
  const result = await env.run(() =>
    inbound!.execute!({ args: [], headers: {} } as unknown as ActivityExecuteInput, async () => {
      await new Promise((r) => setTimeout(r, workMs));
      return 'done';
    }),
  );
  expect(result).toBe('done');
  return beats;
}

describe('heartbeats', () => {
  it('beat at once and then every third of the timeout while the activity works', async () => {
    // 300 ms timeout: a beat at the start and one every 100 ms of a 450 ms activity.
    expect(await beatsDuring(300, 450)).toBeGreaterThanOrEqual(4);
  });

  it('are not sent for an activity without a heartbeat timeout', async () => {
    expect(await beatsDuring(undefined, 150)).toBe(0);
  });

  it('stop when the activity ends', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const { inbound } = heartbeatInterceptor()({} as never);
    await env.run(() =>
      inbound!.execute!({ args: [], headers: {} } as unknown as ActivityExecuteInput, async () => 'quick'),
    );
    const after = beats;
    await new Promise((r) => setTimeout(r, 350));
    expect(beats).toBe(after);
  });
});
