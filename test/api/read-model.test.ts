/**
 * PostgreSQL is the one read model, the workflow the one writer (docs/architecture.md): a sign, reject,
 * cancel or extend that has returned is visible in the very next read, and every read (the job,
 * the status queue, the signing portal's list, a ceremony, the sender portal's list) answers with
 * the worker stopped, from what the workflow recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPersonJobs } from '../../src/portal/person-jobs.js';
import { grantRole } from '../../src/portal/roles.js';
import {
  createJob,
  devAct,
  eventually,
  expectError,
  follow,
  type JobBody,
  jobsPath,
  loggedIn,
  pid,
} from '../helpers/api/http.js';
import { KARI_PID, portalJob, samplePdf } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

type JobView = JobBody & {
  since?: string;
  activated?: boolean;
  deadline?: string;
  failureReason?: string;
};

const files = () => ({ 'contract.pdf': pdf });
const read = async (job: JobBody) => {
  const res = await follow(stack, job.links.self);
  expect(res.status).toBe(200);
  return (await res.json()) as JobView;
};
const statusesOf = (job: JobView) => job.signers.map((s) => s.status);

describe('read-your-writes', () => {
  it('a sign, an extension and a rejection that returned show in the next read', async () => {
    const job = await createJob(
      stack,
      'portal',
      portalJob({
        title: 'Read your writes',
        signers: [{ personalIdentificationNumber: KARI_PID }, { email: 'eva@example.com' }],
      }),
      files(),
    );
    const [kari, eva] = job.signers;

    expect((await devAct(stack, job.id, kari!.id, 'sign')).status).toBe(200);
    // No waiting: the sign returned only once its effect was recorded.
    const signed = await read(job);
    expect(signed.status).toBe('IN_PROGRESS');
    expect(statusesOf(signed)).toEqual(['SIGNED', 'WAITING']);

    const extended = await follow(stack, `${job.links.self}/deadline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ availableSeconds: 60 * 24 * 60 * 60 }),
    });
    expect(extended.status).toBe(200);
    const { deadline } = (await extended.json()) as { deadline: string };
    expect((await read(job)).deadline).toBe(deadline);

    expect((await devAct(stack, job.id, eva!.id, 'reject', { reason: 'no' })).status).toBe(200);
    const rejected = await read(job);
    expect(rejected.status).toBe('FAILED');
    expect(rejected.failureReason).toBe('REJECTED');
    expect(statusesOf(rejected)).toEqual(['SIGNED', 'REJECTED']);
    expect(rejected.deadline).toBeUndefined();
  });

  it('a group deadline extended 10 times: the 11th is refused, naming availableSeconds', async () => {
    const job = await createJob(stack, 'portal', portalJob({ title: 'Extended often' }), files());
    const extend = (days: number) =>
      follow(stack, `${job.links.self}/deadline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ availableSeconds: days * 24 * 60 * 60 }),
      });
    let last = '';
    for (let i = 1; i <= 10; i++) {
      const res = await extend(30 + i);
      expect(res.status).toBe(200);
      last = ((await res.json()) as { deadline: string }).deadline;
    }
    const refused = await expectError(await extend(60), 409, 'TOO_MANY_EXTENSIONS');
    expect(refused.error.message).toContain('availableSeconds');
    // The refused extension changed nothing.
    expect((await read(job)).deadline).toBe(last);
  });

  it('a cancel that returned shows in the next read', async () => {
    const job = await createJob(stack, 'portal', portalJob({ title: 'Cancelled at once' }), files());
    expect((await follow(stack, job.links.cancel!, { method: 'POST' })).status).toBe(204);
    const cancelled = await read(job);
    expect(cancelled.status).toBe('FAILED');
    expect(cancelled.failureReason).toBe('CANCELLED');
    expect(statusesOf(cancelled)).toEqual(['CANCELLED']);
    expect(cancelled.links.cancel).toBeNull();
  });
});

describe('reads with the worker stopped', () => {
  it('the job, the status queue, both portals and the ceremony answer from PostgreSQL', async () => {
    const staff = pid(7);
    await grantRole(stack.t.db, { pid: staff, org: ORG, role: 'SENDER' });
    const waiting = await createJob(stack, 'portal', portalJob({ title: 'Waiting for Kari' }), files());
    // Signed by Kari, still waiting for another signer: listed as signed until the job ends.
    const half = await createJob(
      stack,
      'portal',
      portalJob({
        title: 'Signed by Kari',
        signers: [{ personalIdentificationNumber: KARI_PID }, { email: 'ola@example.com' }],
      }),
      files(),
    );
    expect((await devAct(stack, half.id, half.signers[0]!.id, 'sign')).status).toBe(200);
    const cancelled = await createJob(stack, 'portal', portalJob({ title: 'Withdrawn' }), files());
    expect((await follow(stack, cancelled.links.cancel!, { method: 'POST' })).status).toBe(204);
    const before = await read(waiting);

    await stack.stopWorker();

    // The sender API's job.
    const job = await read(waiting);
    expect(job).toEqual(before);
    expect(job.status).toBe('IN_PROGRESS');
    expect(job.activated).toBe(true);
    expect(Date.parse(job.deadline!)).toBeGreaterThan(Date.now());
    expect(statusesOf(job)).toEqual(['WAITING']);
    expect(statusesOf(await read(half))).toEqual(['SIGNED', 'WAITING']);
    expect((await read(cancelled)).status).toBe('FAILED');

    // The status queue hands out the recorded changes, among them the cancellation.
    const seen: { jobId: string; status: string }[] = [];
    const next = async () => {
      const res = await stack.api(jobsPath('portal'));
      expect([200, 204, 429]).toContain(res.status);
      if (res.status === 200) seen.push((await res.json()) as { jobId: string; status: string });
      return seen;
    };
    await eventually(next, (s) => s.some((c) => c.jobId === cancelled.id));
    expect(seen.find((c) => c.jobId === cancelled.id)!.status).toBe('FAILED');

    // The signing portal: Kari's waiting job, and the one she signed that has not ended.
    const kari = await loggedIn(stack, KARI_PID, '/portal');
    const portal = await kari('/portal');
    expect(portal.status).toBe(200);
    const portalHtml = await portal.text();
    expect(portalHtml).toContain('Waiting for Kari');
    expect(portalHtml).not.toContain('Withdrawn');
    const lists = await listPersonJobs(stack.apiDeps, { pid: KARI_PID, grants: [] });
    expect(lists.waiting.map((j) => j.jobId)).toContain(waiting.id);
    expect(lists.signed.map((j) => [j.jobId, j.jobStatus, j.signerStatus])).toEqual([
      [half.id, 'IN_PROGRESS', 'SIGNED'],
    ]);

    // Her ceremony page, read without a workflow query.
    const ceremony = await kari(`/sign/${waiting.id}/${waiting.signers[0]!.id}`);
    expect(ceremony.status).toBe(200);
    expect(await ceremony.text()).toContain('Waiting for Kari');

    // The sender portal's list, with the recorded statuses.
    const sender = await loggedIn(stack, staff, `/sender/${ORG}`);
    const list = await sender(`/sender/${ORG}`);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    for (const title of ['Waiting for Kari', 'Signed by Kari', 'Withdrawn'])
      expect(listHtml).toContain(title);
    const row = (title: string) => listHtml.slice(listHtml.indexOf(title)).split('</tr>')[0]!;
    // A cancelled job is named so (the recorded outcome), not a bare "failed".
    expect(row('Withdrawn')).toContain('Avbrutt av avsender');
    expect(row('Withdrawn')).not.toContain('Mislyktes');
    expect(row('Waiting for Kari')).toContain('Pågår');
    const detail = await sender(`/sender/${ORG}/jobs/${half.id}`);
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain('Signert');
  });
});
