/**
 * Heartbeats for every activity the workflow gave a heartbeat timeout (packaging, notices, the
 * archive renewal), so an attempt on a worker that died (kill -9, a lost machine) is retried
 * elsewhere within seconds instead of after the whole start-to-close timeout. A slow but live
 * attempt keeps heartbeating and is not retried beside itself, which would send a notice twice.
 * Activities without a heartbeat timeout send nothing: no extra call on their path.
 *
 *   Worker.create({ ..., interceptors: { activity: [heartbeatInterceptor()] } })
 */
import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export function heartbeatInterceptor(): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const context = Context.current();
        const timeoutMs = context.info.heartbeatTimeoutMs;
        if (!timeoutMs) return next(input);
        // Well inside the timeout, so one late tick (a busy event loop) is not a missed beat.
        const everyMs = Math.max(100, Math.min(2000, Math.floor(timeoutMs / 3)));
        context.heartbeat();
        const timer = setInterval(() => context.heartbeat(), everyMs);
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  });
}
