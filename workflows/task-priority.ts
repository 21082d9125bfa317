/**
 * Priority keys of the activities (docs/scaling.md): lower goes first when tasks wait on the task
 * queue. Workflow tasks and the activities without a key run at the server's default (3); that
 * covers a signature update and the ceremony's steps, which other senders' jobs share fairly.
 * Set per activity at schedule time: the commands of running jobs stay as they were.
 */
/** What a person waits on to see: packaging the signed document after the last signature. */
export const PERSON_WAITING = { priorityKey: 1 };
/** Notices and callbacks: nobody watches them happen (a bulk upload's activations, reminders). */
export const BACKGROUND = { priorityKey: 4 };
/** Housekeeping: the archive's daily run (renewals, billing) and the hourly retention sweep. */
export const HOUSEKEEPING = { priorityKey: 5 };
