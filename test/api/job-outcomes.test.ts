/**
 * What the sender is told of a job's end and deadline, through the real stack: the reason a signer
 * gave for rejecting (job view, status queue, callback), each end named apart in `outcome` beside
 * the contract's `status`, and an extension that would move the deadline earlier refused.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdForJob } from '../../src/job/model.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { grantRole } from '../../src/portal/roles.js';
import { extendDeadlineUpdate } from '../../workflows/definitions.js';
import {
  createJob,
  devAct,
  directJob,
  EXIT_URLS,
  emailPortalJob,
  eventually,
  expectError,
  follow,
  type JobBody,
  jobsPath,
  loggedIn,
  pid,
} from '../helpers/api/http.js';
import { type CallbackReceiver, startCallbackReceiver } from '../helpers/callback-receiver.js';
import { portalJob, samplePdf } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

type View = JobBody & {
  outcome: string;
  deadline?: string;
  signers: (JobBody['signers'][number] & { status: string; rejectionReason?: string })[];
};

let stack: Stack;
let pdf: Uint8Array;
let receiver: CallbackReceiver;

beforeAll(async () => {
  receiver = await startCallbackReceiver('/hooks/outcomes');
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

const files = () => ({ 'contract.pdf': pdf });
/** A job of each outcome, as the tests below end them: the sender portal's test reads them all. */
const byOutcome = new Map<string, string>();
const read = async (job: JobBody) => (await (await follow(stack, job.links.self)).json()) as View;
const ended = async (job: JobBody) => {
  const view = await eventually(
    () => read(job),
    (j) => j.status !== 'IN_PROGRESS',
  );
  byOutcome.set(view.outcome, job.id);
  return view;
};

describe('the rejection reason reaches the sender', () => {
  it('in the job view, the callback and the status queue, with outcome REJECTED', async () => {
    const job = await createJob(
      stack,
      'portal',
      emailPortalJob({ callbackUrl: receiver.url, pollingQueue: 'reasons' }),
      files(),
    );
    const running = await read(job);
    expect({ status: running.status, outcome: running.outcome }).toEqual({
      status: 'IN_PROGRESS',
      outcome: 'IN_PROGRESS',
    });
    const reason = 'Clause 4 names the wrong employer';
    expect((await devAct(stack, job.id, job.signers[0]!.id, 'reject', { reason })).status).toBe(200);

    const view = await ended(job);
    expect({ status: view.status, outcome: view.outcome }).toEqual({ status: 'FAILED', outcome: 'REJECTED' });
    expect(view.signers[0]).toMatchObject({ status: 'REJECTED', rejectionReason: reason });

    const callback = await eventually(
      async () =>
        receiver.received
          .map(
            ({ body }) =>
              JSON.parse(body) as {
                jobId: string;
                status: string;
                outcome?: string;
                signers: View['signers'];
              },
          )
          .find((b) => b.jobId === job.id && b.status === 'FAILED'),
      (b) => b !== undefined,
    );
    expect(callback!.outcome).toBe('REJECTED');
    expect(callback!.signers[0]).toMatchObject({ status: 'REJECTED', rejectionReason: reason });

    const res = await stack.api(`${jobsPath('portal')}?polling_queue=reasons`);
    expect(res.status).toBe(200);
    const change = (await res.json()) as { outcome?: string; signers: View['signers'] };
    expect(change.outcome).toBe('REJECTED');
    expect(change.signers[0]).toMatchObject({ status: 'REJECTED', rejectionReason: reason });
  });

  it('a rejection without a reason carries none', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), files());
    expect((await devAct(stack, job.id, job.signers[0]!.id, 'reject')).status).toBe(200);
    const view = await ended(job);
    expect(view.outcome).toBe('REJECTED');
    expect(view.signers[0]!.status).toBe('REJECTED');
    expect(view.signers[0]).not.toHaveProperty('rejectionReason');
  });

  it('the direct flow too', async () => {
    const job = await createJob(stack, 'direct', directJob({ exitUrls: EXIT_URLS }), files());
    await devAct(stack, job.id, job.signers[0]!.id, 'reject', { reason: 'Not my contract' });
    const view = await ended(job);
    expect(view.outcome).toBe('REJECTED');
    expect(view.signers[0]!.rejectionReason).toBe('Not my contract');
  });
});

describe('each end named apart in outcome; status stays the contract’s', () => {
  it('completed, cancelled by the sender, expired', async () => {
    const completed = await createJob(stack, 'portal', emailPortalJob(), files());
    await devAct(stack, completed.id, completed.signers[0]!.id, 'sign');
    expect(await ended(completed)).toMatchObject({ status: 'COMPLETED_SUCCESSFULLY', outcome: 'COMPLETED' });

    const cancelled = await createJob(stack, 'portal', emailPortalJob(), files());
    expect((await follow(stack, cancelled.links.cancel!, { method: 'POST' })).status).toBe(204);
    expect(await ended(cancelled)).toMatchObject({ status: 'FAILED', outcome: 'CANCELLED' });

    const expired = await createJob(
      stack,
      'portal',
      emailPortalJob({ availability: { availableSeconds: 2 } }),
      files(),
    );
    const view = await ended(expired);
    expect(view).toMatchObject({ status: 'FAILED', outcome: 'EXPIRED' });
    expect(view.signers[0]!.status).toBe('EXPIRED');
  });

  it('a signer the register shows reserved, and one without contact details', async () => {
    const nils = testPopulation.find((p) => p.name === 'Nils Olsen')!;
    const emil = testPopulation.find((p) => p.name === 'Emil Pedersen')!;
    const reserved = await createJob(
      stack,
      'portal',
      portalJob({ signers: [{ personalIdentificationNumber: nils.pid }] }),
      files(),
    );
    expect(await ended(reserved)).toMatchObject({ status: 'FAILED', outcome: 'RESERVED' });
    const unreachable = await createJob(
      stack,
      'portal',
      portalJob({ signers: [{ personalIdentificationNumber: emil.pid }] }),
      files(),
    );
    expect(await ended(unreachable)).toMatchObject({
      status: 'FAILED',
      outcome: 'CONTACT_INFORMATION_MISSING',
    });
  });
});

describe('extend only extends', () => {
  it('refuses a lifetime that would move the deadline earlier, naming the current deadline', async () => {
    const job = await createJob(
      stack,
      'portal',
      emailPortalJob({ availability: { availableSeconds: 45 * 86400 } }),
      files(),
    );
    const before = await eventually(
      () => read(job),
      (j) => j.deadline !== undefined,
    );
    const deadline = (availableSeconds: number) =>
      follow(stack, `${job.links.self}/deadline`, {
        method: 'POST',
        body: JSON.stringify({ availableSeconds }),
      });
    const refused = await expectError(await deadline(2 * 86400), 409, 'DEADLINE_EARLIER_THAN_CURRENT');
    expect(refused.error.message).toContain(`the current deadline is ${before.deadline}`);
    expect((await read(job)).deadline).toBe(before.deadline);

    // The same lifetime again moves nothing and is no refusal; a longer one extends.
    expect((await deadline(45 * 86400)).status).toBe(200);
    const longer = await deadline(60 * 86400);
    expect(longer.status).toBe(200);
    const group = (await longer.json()) as { deadline: string };
    expect(Date.parse(group.deadline) - Date.parse(before.deadline!)).toBe(15 * 86400 * 1000);
    expect((await read(job)).deadline).toBe(group.deadline);
  });

  it('the running workflow refuses it too, whoever asks it directly', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), files());
    const before = await eventually(
      () => read(job),
      (j) => j.deadline !== undefined,
    );
    const update = stack.env.client.workflow
      .getHandle(workflowIdForJob(job.id))
      .executeUpdate(extendDeadlineUpdate, { args: [{ availableSeconds: 86400 }] });
    const err = await update.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('DEADLINE_EARLIER_THAN_CURRENT');
    expect(cause.message).toContain(`the current deadline is ${before.deadline}`);
    expect((await read(job)).deadline).toBe(before.deadline);
  });
});

describe('the sender portal names each end as the API does', () => {
  it('on the job page, in the list, and in the list’s filter, in both languages', async () => {
    byOutcome.set('IN_PROGRESS', (await createJob(stack, 'portal', emailPortalJob(), files())).id);
    expect([...byOutcome.keys()].sort()).toEqual(
      [
        'CANCELLED',
        'COMPLETED',
        'CONTACT_INFORMATION_MISSING',
        'EXPIRED',
        'IN_PROGRESS',
        'REJECTED',
        'RESERVED',
      ].sort(),
    );
    const staff = pid(8);
    await grantRole(stack.t.db, { pid: staff, org: ORG, role: 'VIEWER' });
    const sender = await loggedIn(stack, staff, `/sender/${ORG}`);
    const texts: Record<string, [string, string]> = {
      IN_PROGRESS: ['In progress', 'Pågår'],
      COMPLETED: ['Completed', 'Fullført'],
      REJECTED: ['Rejected by a signer', 'Avvist av en signatar'],
      CANCELLED: ['Cancelled by the sender', 'Avbrutt av avsender'],
      EXPIRED: ['Expired: the deadline passed', 'Utløpt: fristen gikk ut'],
      RESERVED: [
        'Failed: a signer is reserved against digital communication',
        'Mislyktes: en signatar er reservert mot digital kommunikasjon',
      ],
      CONTACT_INFORMATION_MISSING: [
        'Failed: a signer has no contact details',
        'Mislyktes: en signatar mangler kontaktinformasjon',
      ],
    };
    const outcomeOnPage = (html: string) => /data-outcome="([A-Z_]+)">([^<]*)</.exec(html)?.slice(1);
    for (const [outcome, jobId] of byOutcome) {
      const [en, nb] = texts[outcome]!;
      const page = await sender(`/sender/${ORG}/jobs/${jobId}?lang=en`);
      expect(page.status).toBe(200);
      expect(outcomeOnPage(await page.text())).toEqual([outcome, en]);
      const nbPage = await sender(`/sender/${ORG}/jobs/${jobId}?lang=nb`);
      expect(outcomeOnPage(await nbPage.text())).toEqual([outcome, nb]);
      // The filter finds it under its outcome, and only there.
      const list = await (await sender(`/sender/${ORG}?status=${outcome}&lang=en`)).text();
      expect(list).toContain(`/jobs/${jobId}"`);
      expect(list).toContain(`data-outcome="${outcome}">${en}</td>`);
      expect(list).not.toMatch(new RegExp(`data-outcome="(?!${outcome}")`));
      expect(list).toContain(`<option value="${outcome}" selected="">${en}</option>`);
    }
  });
});
