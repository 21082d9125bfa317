/**
 * Where a signature's seconds go: the steps between a signer's sign request and the stored PAdES,
 * read from the job's workflow history (docs/scaling.md, "Figures"). Every step is a task the
 * server hands to a worker: the wait is how long it sat at the server before a worker took it
 * (scheduled to started), the run how long the worker took (started to completed).
 */
import proto, { type temporal } from '@temporalio/proto';

// The package is CommonJS: Node's ESM loader gives its names on the default export only.
const { EventType: EventTypes } = proto.temporal.api.enums.v1;

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = {
  UPDATE_ACCEPTED: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
  WFT_SCHEDULED: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
  WFT_STARTED: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
  WFT_COMPLETED: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
  ACTIVITY_SCHEDULED: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
  ACTIVITY_STARTED: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
  ACTIVITY_COMPLETED: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
} as const;

/** The milliseconds of one signature, by step. */
export interface SigningSteps {
  /** From the sign request to the update's workflow task at the server: the API's own work. */
  api: number;
  /** Workflow tasks waiting at the server, summed (the update's, then one after each activity). */
  workflowTaskWait: number;
  /** Workflow tasks running on a worker, summed (local activities included). */
  workflowTaskRun: number;
  /** Activities waiting at the server, summed (recording the signature, packaging). */
  activityWait: number;
  /**
   * Recording the signature in PostgreSQL (recordEvents), running as an activity; 0 where it runs
   * as a local activity (`local-recording-v1`): then its time is the workflow task's.
   */
  recordRun: number;
  /** Packaging, running: the PAdES is stored when it ends. */
  packageRun: number;
}

/** The event's type by name: a fetched history holds numbers, one saved as JSON names. */
const eventName = (e: HistoryEvent): string => {
  const t = e.eventType as unknown;
  return typeof t === 'string' ? t : (EventTypes[t as number] ?? '');
};
const at = (e: HistoryEvent): number => {
  const t = e.eventTime;
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
};

/**
 * The steps of the sign update the signer sent at `requestedAtMs` (epoch ms): from the workflow
 * task that accepted it up to the end of packaging. Undefined when the history has no sign
 * update or no packaging after it.
 */
export function signingSteps(events: HistoryEvent[], requestedAtMs: number): SigningSteps | undefined {
  const accepted = events.findIndex(
    (e) =>
      eventName(e) === EventType.UPDATE_ACCEPTED &&
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'sign',
  );
  if (accepted < 0) return undefined;
  // The workflow task that accepted the update: the last one scheduled before the acceptance.
  let first = accepted;
  while (first > 0 && eventName(events[first]!) !== EventType.WFT_SCHEDULED) first--;
  // A workflow task already waiting when the request came carries the update: its wait counts
  // from the request.
  const from = (e: HistoryEvent) => Math.max(at(e), requestedAtMs);
  const steps: SigningSteps = {
    api: Math.max(0, at(events[first]!) - requestedAtMs),
    workflowTaskWait: 0,
    workflowTaskRun: 0,
    activityWait: 0,
    recordRun: 0,
    packageRun: 0,
  };
  const byId = new Map(events.map((e) => [String(e.eventId), e]));
  const activityName = (scheduledId: unknown) =>
    byId.get(String(scheduledId))?.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
  for (const e of events.slice(first)) {
    switch (eventName(e)) {
      case EventType.WFT_STARTED: {
        const scheduled = byId.get(String(e.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled) steps.workflowTaskWait += at(e) - from(scheduled);
        break;
      }
      case EventType.WFT_COMPLETED: {
        const started = byId.get(String(e.workflowTaskCompletedEventAttributes?.startedEventId));
        if (started) steps.workflowTaskRun += at(e) - at(started);
        break;
      }
      case EventType.ACTIVITY_STARTED: {
        const scheduled = byId.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled) steps.activityWait += at(e) - at(scheduled);
        break;
      }
      case EventType.ACTIVITY_COMPLETED: {
        const a = e.activityTaskCompletedEventAttributes;
        const started = byId.get(String(a?.startedEventId));
        const name = activityName(a?.scheduledEventId);
        if (!started) break;
        if (name === 'recordEvents') steps.recordRun += at(e) - at(started);
        if (name === 'packageJob') {
          steps.packageRun += at(e) - at(started);
          return steps;
        }
        break;
      }
    }
  }
  return undefined;
}
