/**
 * The two-sender benchmark's breakdown of a signature (bench/cluster/signing-steps.ts): each
 * step's wait and run read from a history's event times, as a fetched history gives them.
 */
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { signingSteps } from '../../bench/cluster/signing-steps.js';

const T = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;
const T0 = Date.parse('2026-12-07T10:00:00Z');
const time = (ms: number) => ({ seconds: Math.floor((T0 + ms) / 1000), nanos: ((T0 + ms) % 1000) * 1e6 });

/**
 * A history from [eventType, ms after T0, attributes] rows, numbered from 1. Ids are plain numbers
 * here where a fetched history has Longs: the breakdown compares them as strings.
 */
function history(rows: [temporal.api.enums.v1.EventType, number, object?][]): Event[] {
  return rows.map(
    ([eventType, ms, attrs], i) =>
      ({ eventId: i + 1, eventType, eventTime: time(ms), ...attrs }) as unknown as Event,
  );
}
const signAccepted = {
  workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name: 'sign' } } },
};
const activity = (name: string) => ({
  activityTaskScheduledEventAttributes: { activityType: { name } },
});

/** A signature with recording as an activity: two waits, two runs per kind of step. */
const withActivities = history([
  [T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 100], // 1
  [T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 400, { workflowTaskStartedEventAttributes: { scheduledEventId: 1 } }],
  [
    T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    450,
    { workflowTaskCompletedEventAttributes: { startedEventId: 2 } },
  ],
  [T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, 450, signAccepted],
  [T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 450, activity('recordEvents')], // 5
  [T.EVENT_TYPE_ACTIVITY_TASK_STARTED, 470, { activityTaskStartedEventAttributes: { scheduledEventId: 5 } }],
  [
    T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    500,
    { activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 6 } },
  ],
  [T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 500], // 8
  [T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 1500, { workflowTaskStartedEventAttributes: { scheduledEventId: 8 } }],
  [
    T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    1520,
    { workflowTaskCompletedEventAttributes: { startedEventId: 9 } },
  ],
  [T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 1520, activity('packageJob')], // 11
  [
    T.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    1600,
    { activityTaskStartedEventAttributes: { scheduledEventId: 11 } },
  ],
  [
    T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    1900,
    { activityTaskCompletedEventAttributes: { scheduledEventId: 11, startedEventId: 12 } },
  ],
  [T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 1900],
]);

describe('signingSteps', () => {
  it('splits a signature into the API, waits at the server and runs on the workers', () => {
    expect(signingSteps(withActivities, T0 + 50)).toEqual({
      api: 50,
      workflowTaskWait: 300 + 1000,
      workflowTaskRun: 50 + 20,
      activityWait: 20 + 80,
      recordRun: 30,
      packageRun: 300,
    });
  });

  it('counts the wait of a task already scheduled before the request from the request', () => {
    const steps = signingSteps(withActivities, T0 + 250);
    expect(steps?.api).toBe(0);
    expect(steps?.workflowTaskWait).toBe(150 + 1000);
  });

  it('has no steps for a history without a sign update or without packaging after it', () => {
    expect(signingSteps(withActivities.slice(0, 3), T0)).toBeUndefined();
    expect(signingSteps(withActivities.slice(0, 10), T0)).toBeUndefined();
  });
});
