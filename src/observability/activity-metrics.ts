/**
 * Activity metrics through a Temporal activity interceptor, so every activity is measured without
 * touching its code: each attempt's duration by type and outcome, and failures by type.
 *
 *   Worker.create({ ..., interceptors: { activity: [activityMetricsInterceptor(workerMetrics)] } })
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics } from './metrics.js';

export function activityMetricsInterceptor(
  metrics: Pick<WorkerMetrics, 'activityFailures' | 'activityDuration'>,
): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const activityType = ctx.info.activityType;
        const stop = metrics.activityDuration.startTimer({ activity_type: activityType });
        try {
          const result = await next(input);
          stop({ outcome: 'success' });
          return result;
        } catch (err) {
          // Every failed attempt counts, retried or not: a rising rate is the early warning.
          stop({ outcome: 'failure' });
          metrics.activityFailures.inc({ activity_type: activityType });
          throw err;
        }
      },
    },
  });
}
