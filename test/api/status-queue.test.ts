/**
 * The status-change queue in PostgreSQL: two concurrent pollers each get distinct changes, a
 * change not confirmed reappears after the invisibility timeout (1 s here instead of 10 min),
 * confirmation removes it, named queues stay apart, and polling an empty queue too early is 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJob,
  devAct,
  emailPortalJob,
  eventually,
  expectError,
  follow,
  jobsPath,
} from '../helpers/api/http.js';
import { samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([
    startStack({ api: { statusQueue: { invisibilitySeconds: 1, emptyQueuePollDelaySeconds: 1 } } }),
    samplePdf(),
  ]);
});
afterAll(async () => stack?.stop());

interface Change {
  changeId: string;
  jobId: string;
  status: string;
  signers: { id: string; signer: string; status: string }[];
  confirmUrl: string;
  links: { self: string };
}

const poll = (queue: string) => stack.api(`${jobsPath('portal')}?polling_queue=${queue}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes signed jobs in `queue` and waits until their changes are recorded; returns the change ids. */
async function changesIn(queue: string, jobs: number): Promise<string[]> {
  for (let i = 0; i < jobs; i++) {
    const job = await createJob(stack, 'portal', emailPortalJob({ pollingQueue: queue }), {
      'contract.pdf': pdf,
    });
    await devAct(stack, job.id, job.signers[0]!.id, 'sign');
  }
  const rows = await eventually(
    () =>
      stack.t.db
        .selectFrom('status_changes')
        .select(['id', 'job_status'])
        .where('polling_queue', '=', queue)
        .orderBy('id')
        .execute(),
    (r) => r.filter((c) => c.job_status === 'COMPLETED_SUCCESSFULLY').length === jobs,
  );
  return rows.map((r) => r.id);
}

describe('the status-change queue', () => {
  it('two concurrent pollers: every change delivered to exactly one of them', async () => {
    const expected = await changesIn('two-pollers', 4);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    const poller = async () => {
      const got: string[] = [];
      for (;;) {
        const res = await poll('two-pollers');
        if (res.status !== 200) return got;
        got.push(((await res.json()) as Change).changeId);
      }
    };
    const [a, b] = await Promise.all([poller(), poller()]);
    expect([...a, ...b].sort()).toEqual([...expected].sort());
    expect(new Set([...a, ...b]).size).toBe(expected.length);
  });

  it('answers with the job, its signers and a confirm URL naming the change', async () => {
    await changesIn('shape', 1);
    const res = await poll('shape');
    expect(res.status).toBe(200);
    const change = (await res.json()) as Change;
    expect(change.confirmUrl).toBe(`${change.links.self}/complete?change=${change.changeId}`);
    expect(change.signers[0]!.signer).toBe('kari@example.com');
    expect(['IN_PROGRESS', 'COMPLETED_SUCCESSFULLY']).toContain(change.status);
  });

  it('an unconfirmed change reappears after the invisibility timeout; a confirmed one does not', async () => {
    const [first] = await changesIn('reappear', 1);
    const taken = (await (await poll('reappear')).json()) as Change;
    expect(taken.changeId).toBe(first);
    // Hidden now: the next poll gets the next change, not this one.
    const next = await poll('reappear');
    if (next.status === 200) expect(((await next.json()) as Change).changeId).not.toBe(first);

    await sleep(1100);
    const again = (await (await poll('reappear')).json()) as Change;
    expect(again.changeId).toBe(first);
    expect((await follow(stack, again.confirmUrl, { method: 'POST' })).status).toBe(204);
    // Confirming twice is harmless.
    expect((await follow(stack, again.confirmUrl, { method: 'POST' })).status).toBe(204);

    const confirmed = await stack.t.db
      .selectFrom('status_changes')
      .select('confirmed_at')
      .where('id', '=', first!)
      .executeTakeFirstOrThrow();
    expect(confirmed.confirmed_at).not.toBeNull();
    await sleep(1100);
    const seen: string[] = [];
    for (let res = await poll('reappear'); res.status === 200; res = await poll('reappear')) {
      seen.push(((await res.json()) as Change).changeId);
    }
    expect(seen).not.toContain(first);
  });

  it('confirm without a change id confirms what was handed out for the job; an unknown id is 404', async () => {
    await changesIn('confirm-all', 1);
    const taken = (await (await poll('confirm-all')).json()) as Change;
    expect((await follow(stack, `${taken.links.self}/complete`, { method: 'POST' })).status).toBe(204);
    const row = await stack.t.db
      .selectFrom('status_changes')
      .select('confirmed_at')
      .where('id', '=', taken.changeId)
      .executeTakeFirstOrThrow();
    expect(row.confirmed_at).not.toBeNull();
    await expectError(
      await follow(stack, `${taken.links.self}/complete?change=999999999`, { method: 'POST' }),
      404,
      'NOT_FOUND',
    );
  });

  it('named queues and flows are kept apart', async () => {
    await changesIn('apart', 1);
    expect((await poll('elsewhere')).status).toBe(204);
    expect((await stack.api(`${jobsPath('direct')}?polling_queue=apart`)).status).toBe(204);
    expect((await poll('apart')).status).toBe(200);
  });

  it('X-Next-permitted-poll-time on every answer; an empty queue polled too early is 429', async () => {
    await changesIn('timing', 1);
    const header = (res: Response) => Date.parse(res.headers.get('x-next-permitted-poll-time') ?? '');
    let res = await poll('timing');
    expect(res.status).toBe(200);
    expect(Math.abs(header(res) - Date.now())).toBeLessThan(1000);
    while (res.status === 200) {
      // Confirmed, so none reappears when the invisibility timeout passes below.
      await follow(stack, ((await res.json()) as Change).confirmUrl, { method: 'POST' });
      res = await poll('timing');
    }
    expect(res.status).toBe(204);
    const permitted = header(res);
    expect(permitted - Date.now()).toBeGreaterThan(500);

    const early = await poll('timing');
    await expectError(early, 429, 'POLLED_TOO_EARLY');
    expect(header(early)).toBe(permitted);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    await sleep(Math.max(0, permitted - Date.now()) + 50);
    expect((await poll('timing')).status).toBe(204);
  });
});
