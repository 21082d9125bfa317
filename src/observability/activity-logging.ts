/**
 * The job id on the Temporal SDK's own activity log lines ("Activity completed", "Activity
 * failed", and whatever activity code logs through `@temporalio/activity`'s `log`). The SDK
 * already adds workflowId, activityType and attempt; the job id is only in the activity's
 * arguments, so an inbound interceptor reads it there and the outbound getLogAttributes adds it.
 *
 *   Worker.create({ ..., interceptors: { activity: [activityLogInterceptor()] } })
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export function activityLogInterceptor(): ActivityInterceptorsFactory {
  return () => {
    // One factory call per activity attempt, so the two halves share this attempt's job id.
    let jobId: string | undefined;
    return {
      inbound: {
        async execute(input, next) {
          jobId = jobIdOf(input.args);
          return next(input);
        },
      },
      outbound: {
        getLogAttributes(attributes, next) {
          // The task token completes the activity for whoever holds it: not for a log line.
          const { taskToken: _token, ...rest } = attributes;
          return next(jobId === undefined ? rest : { ...rest, jobId });
        },
      },
    };
  };
}

/** Every activity of the signature-job workflow takes one argument object with the job id. */
function jobIdOf(args: readonly unknown[]): string | undefined {
  const first = args[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const jobId = (first as { jobId?: unknown }).jobId;
  return typeof jobId === 'string' ? jobId : undefined;
}
