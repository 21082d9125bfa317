/**
 * The status-change queue senders poll (per organisation, flow and named queue; '' is the
 * default queue). A poll takes the oldest visible unconfirmed change and hides it from other
 * pollers for a while (row locks with SKIP LOCKED, so concurrent pollers never get the same
 * change); a change not confirmed in that time shows up again. An empty queue may be polled again
 * only after a delay, remembered in PostgreSQL so it holds across API processes.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { signerIdentifiers } from '../db/job-reads.js';
import type { Flow } from '../job/model.js';

export interface StatusQueueOptions {
  /** How long a taken change stays hidden before it reappears unless confirmed. */
  invisibilitySeconds: number;
  /** After an empty poll, the earliest next poll of that queue (earlier ones get 429). */
  emptyQueuePollDelaySeconds: number;
}

/** 10 minutes as in the national service; 30 s between polls of an empty queue. */
export const DEFAULT_STATUS_QUEUE_OPTIONS: StatusQueueOptions = {
  invisibilitySeconds: 600,
  emptyQueuePollDelaySeconds: 30,
};

export interface QueueAddress {
  org: string;
  flow: Flow;
  /** The named queue; '' for the default one. */
  queue: string;
}

export interface StatusChangeItem {
  changeId: string;
  jobId: string;
  reference: string | null;
  status: string;
  changedAt: Date;
  /** How the job ended, named apart (src/rules/outcome.ts); absent in changes recorded before it. */
  outcome?: string;
  signers: { id: string; signer: string; status: string; since: string; rejectionReason?: string }[];
}

export type PollOutcome =
  | { kind: 'change'; change: StatusChangeItem; nextPermittedAt: Date }
  | { kind: 'empty'; nextPermittedAt: Date }
  | { kind: 'too-early'; nextPermittedAt: Date; now: Date };

interface ChangePayload {
  reference: string | null;
  outcome?: string;
  signers: { id: string; status: string; since: string; rejectionReason?: string }[];
}

/** Takes the next change of the queue, or records an empty poll; see the module comment. */
export async function pollStatusQueue(
  db: Db,
  at: QueueAddress,
  opts: StatusQueueOptions,
): Promise<PollOutcome> {
  const outcome = await db.transaction().execute(async (tx) => {
    const taken = await tx
      .selectFrom('status_changes')
      .select(['id', 'job_id', 'job_status', 'payload', 'created_at'])
      .where('org_number', '=', at.org)
      .where('flow', '=', at.flow)
      .where('polling_queue', '=', at.queue)
      .where('confirmed_at', 'is', null)
      .where((eb) =>
        eb.or([eb('invisible_until', 'is', null), eb('invisible_until', '<=', sql<Date>`now()`)]),
      )
      .orderBy('id')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();

    if (taken) {
      await tx
        .updateTable('status_changes')
        .set({ invisible_until: sql<Date>`now() + make_interval(secs => ${opts.invisibilitySeconds})` })
        .where('id', '=', taken.id)
        .execute();
      // While changes keep coming the sender may poll again at once.
      const permit = await tx
        .insertInto('status_queue_polls')
        .values({
          org_number: at.org,
          flow: at.flow,
          polling_queue: at.queue,
          next_permitted_at: sql<Date>`now()`,
        })
        .onConflict((oc) =>
          oc
            .columns(['org_number', 'flow', 'polling_queue'])
            .doUpdateSet({ next_permitted_at: sql<Date>`now()` }),
        )
        .returning('next_permitted_at')
        .executeTakeFirstOrThrow();
      return { kind: 'change' as const, taken, nextPermittedAt: permit.next_permitted_at };
    }

    // Empty: permitted only if the previous empty poll's delay has passed; that sets a new delay.
    const permitted = await tx
      .insertInto('status_queue_polls')
      .values({
        org_number: at.org,
        flow: at.flow,
        polling_queue: at.queue,
        next_permitted_at: sql<Date>`now() + make_interval(secs => ${opts.emptyQueuePollDelaySeconds})`,
      })
      .onConflict((oc) =>
        oc
          .columns(['org_number', 'flow', 'polling_queue'])
          .doUpdateSet((eb) => ({ next_permitted_at: eb.ref('excluded.next_permitted_at') }))
          .where('status_queue_polls.next_permitted_at', '<=', sql<Date>`now()`),
      )
      .returning('next_permitted_at')
      .executeTakeFirst();
    if (permitted) return { kind: 'empty' as const, nextPermittedAt: permitted.next_permitted_at };
    const current = await tx
      .selectFrom('status_queue_polls')
      .select(['next_permitted_at', sql<Date>`now()`.as('now')])
      .where('org_number', '=', at.org)
      .where('flow', '=', at.flow)
      .where('polling_queue', '=', at.queue)
      .executeTakeFirstOrThrow();
    return { kind: 'too-early' as const, nextPermittedAt: current.next_permitted_at, now: current.now };
  });

  if (outcome.kind !== 'change') return outcome;
  const { taken } = outcome;
  const payload = taken.payload as ChangePayload;
  const identifiers = await signerIdentifiers(db, taken.job_id);
  return {
    kind: 'change',
    nextPermittedAt: outcome.nextPermittedAt,
    change: {
      changeId: taken.id,
      jobId: taken.job_id,
      reference: payload.reference,
      status: taken.job_status,
      changedAt: taken.created_at,
      ...(payload.outcome ? { outcome: payload.outcome } : {}),
      signers: payload.signers.map((s) => ({ ...s, signer: identifiers.get(s.id) ?? '' })),
    },
  };
}

/** Change ids are bigserials; anything else can match no change (and must not reach SQL as one). */
export const isChangeId = (value: string) => /^[0-9]{1,18}$/.test(value);

/**
 * Confirms that the sender received a change: `changeId` names one change of the job; without it,
 * every change of the job that was handed out is confirmed. Confirming twice is harmless. False
 * when `changeId` names no change of this job.
 */
export async function confirmStatusChange(
  db: Db,
  target: { org: string; flow: Flow; jobId: string; changeId?: string },
): Promise<boolean> {
  let query = db
    .updateTable('status_changes')
    .set({ confirmed_at: sql<Date>`coalesce(confirmed_at, now())` })
    .where('job_id', '=', target.jobId)
    .where('org_number', '=', target.org)
    .where('flow', '=', target.flow);
  if (target.changeId === undefined) {
    query = query.where('invisible_until', 'is not', null).where('confirmed_at', 'is', null);
  } else {
    if (!isChangeId(target.changeId)) return false;
    query = query.where('id', '=', target.changeId);
  }
  const result = await query.executeTakeFirst();
  return target.changeId === undefined || Number(result.numUpdatedRows) > 0;
}
