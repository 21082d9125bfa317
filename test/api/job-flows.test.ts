/**
 * The job endpoints end to end against the real stack, driven by the development endpoints: the
 * direct flow's redirect URLs and status tokens, cancel, deadline extension, document deletion,
 * downloads, idempotent creation, and one organisation never reaching another's jobs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishDirectCeremony, redeemRedirectToken } from '../../src/services/direct-signers.js';
import { artifactKey } from '../../src/storage/index.js';
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
  pid,
  postJob,
} from '../helpers/api/http.js';
import { createForm, samplePdf } from '../helpers/requests.js';
import { OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

const files = () => ({ 'contract.pdf': pdf });
const tokenOf = (redirectUrl: string) => redirectUrl.split('/').pop()!;
const readJob = async (job: JobBody) =>
  (await (await follow(stack, job.links.self)).json()) as JobBody & { deadline?: string };

describe('direct flow: redirect URLs and status query tokens', () => {
  it('gives each signer a one-time redirect URL whose token is stored only hashed', async () => {
    const job = await createJob(
      stack,
      'direct',
      directJob({ signers: [{ personalIdentificationNumber: pid(0) }, { customIdentifier: 'emp-2' }] }),
      files(),
    );
    expect(job.signers).toHaveLength(2);
    for (const signer of job.signers) {
      expect(signer.redirectUrl).toMatch(new RegExp(`^${stack.baseUrl}/sign/direct/[A-Za-z0-9_-]{43}$`));
    }
    const token = tokenOf(job.signers[0]!.redirectUrl!);
    const rows = await stack.t.db
      .selectFrom('signer_tokens')
      .select(['token_hash', 'kind'])
      .where('job_id', '=', job.id)
      .execute();
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);

    // The ceremony spends it once; reading the job never shows it again.
    expect(await redeemRedirectToken(stack.t.db, token)).toEqual({
      jobId: job.id,
      signerId: job.signers[0]!.id,
    });
    expect(await redeemRedirectToken(stack.t.db, token)).toBeNull();
    expect((await readJob(job)).signers[0]!.redirectUrl).toBeUndefined();
  });

  it('a new redirect URL replaces the old one', async () => {
    const job = await createJob(stack, 'direct', directJob(), files());
    const signer = job.signers[0]!;
    const res = await stack.api(`${jobsPath('direct')}/${job.id}/signers/${signer.id}/redirect-url`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as { id: string; redirectUrl: string };
    expect(fresh.id).toBe(signer.id);
    expect(await redeemRedirectToken(stack.t.db, tokenOf(signer.redirectUrl!))).toBeNull();
    expect(await redeemRedirectToken(stack.t.db, tokenOf(fresh.redirectUrl))).not.toBeNull();

    const unknown = await stack.api(`${jobsPath('direct')}/${job.id}/signers/nobody/redirect-url`, {
      method: 'POST',
    });
    await expectError(unknown, 404, 'NOT_FOUND');
  });

  it('signing sends the signer to the completion URL with a token that reads the status', async () => {
    const job = await createJob(stack, 'direct', directJob(), files());
    const signer = job.signers[0]!;
    const signed = await devAct(stack, job.id, signer.id, 'sign');
    expect(signed.status).toBe(200);
    const result = (await signed.json()) as { signer: { id: string; status: string }; redirectUrl: string };
    expect(result.signer).toMatchObject({ id: signer.id, status: 'SIGNED' });
    const exit = new URL(result.redirectUrl);
    expect(`${exit.origin}${exit.pathname}`).toBe(EXIT_URLS.completionUrl);
    const token = exit.searchParams.get('status_query_token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const statusPath = `${jobsPath('direct')}/${job.id}/status`;
    const status = await stack.api(`${statusPath}?status_query_token=${token}`);
    expect(status.status).toBe(200);
    expect(((await status.json()) as JobBody).signers[0]!.status).toBe('SIGNED');

    await expectError(
      await stack.api(`${statusPath}?status_query_token=${'A'.repeat(43)}`),
      403,
      'INVALID_STATUS_QUERY_TOKEN',
    );
    await expectError(await stack.api(statusPath), 400, 'MISSING_STATUS_QUERY_TOKEN', 'status_query_token');

    // The signer has acted: no new redirect URL, and no second signature.
    const again = await stack.api(`${jobsPath('direct')}/${job.id}/signers/${signer.id}/redirect-url`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    await expectError(await devAct(stack, job.id, signer.id, 'sign'), 409, 'ALREADY_ACTED');
  });

  it('a ceremony that ended in an error: 404 SIGNING_CEREMONY_NOT_COMPLETED', async () => {
    const job = await createJob(stack, 'direct', directJob(), files());
    const exit = new URL(
      await finishDirectCeremony(stack.t.db, { jobId: job.id, signerId: job.signers[0]!.id }, 'ERROR'),
    );
    expect(`${exit.origin}${exit.pathname}`).toBe(EXIT_URLS.errorUrl);
    const res = await stack.api(
      `${jobsPath('direct')}/${job.id}/status?status_query_token=${exit.searchParams.get('status_query_token')}`,
    );
    await expectError(res, 404, 'SIGNING_CEREMONY_NOT_COMPLETED');
  });

  it('rejecting sends the signer to the rejection URL; a POLLING sender gets no token', async () => {
    const job = await createJob(stack, 'direct', directJob(), files());
    const rejected = (await (
      await devAct(stack, job.id, job.signers[0]!.id, 'reject', { reason: 'no' })
    ).json()) as {
      signer: { status: string };
      redirectUrl: string;
    };
    expect(rejected.signer.status).toBe('REJECTED');
    expect(rejected.redirectUrl.startsWith(`${EXIT_URLS.rejectionUrl}?status_query_token=`)).toBe(true);

    const polling = await createJob(
      stack,
      'direct',
      directJob({ statusRetrievalMethod: 'POLLING' }),
      files(),
    );
    const signed = (await (await devAct(stack, polling.id, polling.signers[0]!.id, 'sign')).json()) as {
      redirectUrl: string;
    };
    expect(signed.redirectUrl).toBe(EXIT_URLS.completionUrl);
  });
});

describe('portal flow: cancel, deadline, documents, results', () => {
  it('cancels (204), then refuses to cancel again (409); direct jobs have no cancel', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), files());
    expect(job.links.cancel).toBe(`${job.links.self}/cancel`);
    const res = await follow(stack, job.links.cancel!, { method: 'POST' });
    expect(res.status).toBe(204);
    const after = await eventually(
      () => readJob(job),
      (j) => j.status === 'FAILED',
    );
    expect(after.signers[0]!.status).toBe('CANCELLED');
    expect(after.links.cancel).toBeNull();
    await expectError(await follow(stack, job.links.cancel!, { method: 'POST' }), 409, 'JOB_ENDED');

    const direct = await createJob(stack, 'direct', directJob(), files());
    await expectError(
      await follow(stack, `${direct.links.self}/cancel`, { method: 'POST' }),
      404,
      'NOT_FOUND',
    );
  });

  it('extends the active group’s deadline; refuses an earlier deadline and an ended job', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), files());
    const deadline = (body: unknown) =>
      follow(stack, `${job.links.self}/deadline`, { method: 'POST', body: JSON.stringify(body) });
    const res = await deadline({ availableSeconds: 40 * 86400 });
    expect(res.status).toBe(200);
    const group = (await res.json()) as { order: number; activatedAt: string; deadline: string };
    expect(Date.parse(group.deadline) - Date.parse(group.activatedAt)).toBe(40 * 86400 * 1000);
    expect((await readJob(job)).deadline).toBe(group.deadline);

    // A shorter lifetime would move the deadline earlier: refused (test/api/job-outcomes.test.ts).
    await expectError(await deadline({ availableSeconds: 1 }), 409, 'DEADLINE_EARLIER_THAN_CURRENT');
    await follow(stack, job.links.cancel!, { method: 'POST' });
    await expectError(await deadline({ availableSeconds: 86400 }), 409, 'JOB_ENDED');
    const direct = await createJob(stack, 'direct', directJob(), files());
    await expectError(
      await follow(stack, `${direct.links.self}/deadline`, {
        method: 'POST',
        body: '{"availableSeconds":60}',
      }),
      404,
      'NOT_FOUND',
    );
  });

  it('deletes documents only once the job has ended', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), files());
    const remove = () => follow(stack, `${job.links.self}/documents`, { method: 'DELETE' });
    await expectError(await remove(), 409, 'JOB_NOT_ENDED');
    await devAct(stack, job.id, job.signers[0]!.id, 'sign');
    await eventually(
      () => readJob(job),
      (j) => j.status === 'COMPLETED_SUCCESSFULLY',
    );
    expect((await remove()).status).toBe(202);
    await eventually(
      () =>
        stack.t.db
          .selectFrom('documents')
          .select('deleted_at')
          .where('job_id', '=', job.id)
          .executeTakeFirstOrThrow(),
      (d) => d.deleted_at !== null,
    );
  });

  it('serves the PAdES and each signer’s XAdES once stored, 404 before', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), files());
    const signerId = job.signers[0]!.id;
    const pades = () => follow(stack, `${job.links.self}/pades`);
    const xades = () => follow(stack, `${job.links.self}/signers/${signerId}/xades`);
    await expectError(await pades(), 404, 'NOT_FOUND');
    await expectError(await xades(), 404, 'NOT_FOUND');

    // Stored as the packaging and signing do: the bytes in the store, the row naming their digest.
    const store = async (kind: 'PADES' | 'XADES', signer: string, content: string) => {
      const bytes = Buffer.from(content);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await stack.storage.put(artifactKey({ jobId: job.id, kind, signerId: signer, sha256 }), bytes);
      await stack.t.db
        .insertInto('artifacts')
        .values({ job_id: job.id, signer_id: signer, kind, sha256 })
        .execute();
    };
    await store('PADES', '', '%PDF-1.7 sealed');
    await store('XADES', signerId, '<XAdES/>');
    const pdfRes = await pades();
    expect(pdfRes.status).toBe(200);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    expect(await pdfRes.text()).toBe('%PDF-1.7 sealed');
    const xmlRes = await xades();
    expect(xmlRes.headers.get('content-type')).toBe('application/xml');
    expect(await xmlRes.text()).toBe('<XAdES/>');
    const view = await readJob(job);
    expect(view.links.pades).toBe(`${job.links.self}/pades`);
    expect(view.signers[0]!.links.xades).toBe(`${job.links.self}/signers/${signerId}/xades`);
  });
});

describe("the create's answer", () => {
  it('is the job as a read shows it until the workflow records a step (it is built, not read back)', async () => {
    // An activation an hour away: the workflow records nothing before then, so the read is stable.
    const activationTime = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const res = await postJob(stack, 'portal', emailPortalJob({ availability: { activationTime } }), files());
    const created = (await res.json()) as JobBody & { next: unknown; activated: boolean; createdAt: string };
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(created.links.self);
    expect(created.next).toEqual({ kind: 'NOT_STARTED' });
    expect(created.activated).toBe(false);
    const read = await (await follow(stack, created.links.self)).text();
    expect(read).toBe(JSON.stringify(created));
  });
});

describe('Idempotency-Key', () => {
  it('same key and body: 201 then 200 with the same job; another body: 409', async () => {
    const key = randomUUID();
    const send = (job: unknown) => postJob(stack, 'portal', job, files(), { 'idempotency-key': key });
    const first = await send(emailPortalJob());
    expect(first.status).toBe(201);
    const second = await send(emailPortalJob());
    expect(second.status).toBe(200);
    const [a, b] = [(await first.json()) as JobBody, (await second.json()) as JobBody];
    expect(b.id).toBe(a.id);
    expect(second.headers.get('location')).toBe(a.links.self);
    await expectError(await send(emailPortalJob({ title: 'Another' })), 409, 'IDEMPOTENCY_KEY_REUSED');

    // Keys are per organisation: another sender's identical key is another job.
    const other = await stack.api(jobsPath('portal', OTHER_ORG), {
      method: 'POST',
      body: createForm(emailPortalJob(), files()),
      headers: { authorization: `Bearer ${stack.otherApiKey}`, 'idempotency-key': key },
    });
    expect(other.status).toBe(201);
  });

  it('a retry with an activation time in the past is still the same request', async () => {
    const key = randomUUID();
    const job = emailPortalJob({ availability: { activationTime: '2020-01-01T00:00:00Z' } });
    const first = (await (
      await postJob(stack, 'portal', job, files(), { 'idempotency-key': key })
    ).json()) as JobBody;
    await new Promise((r) => setTimeout(r, 20));
    const retry = await postJob(stack, 'portal', job, files(), { 'idempotency-key': key });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as JobBody).id).toBe(first.id);
  });

  it('a direct retry hands out fresh redirect URLs and retires the lost ones', async () => {
    const key = randomUUID();
    const send = () => postJob(stack, 'direct', directJob(), files(), { 'idempotency-key': key });
    const first = (await (await send()).json()) as JobBody;
    const retry = (await (await send()).json()) as JobBody;
    expect(retry.id).toBe(first.id);
    expect(retry.signers[0]!.redirectUrl).not.toBe(first.signers[0]!.redirectUrl);
    expect(await redeemRedirectToken(stack.t.db, tokenOf(first.signers[0]!.redirectUrl!))).toBeNull();
    expect(await redeemRedirectToken(stack.t.db, tokenOf(retry.signers[0]!.redirectUrl!))).not.toBeNull();
  });
});

describe('isolation: another organisation reaches none of the jobs', () => {
  let portal: JobBody;
  let direct: JobBody;
  beforeAll(async () => {
    portal = await createJob(stack, 'portal', emailPortalJob(), files());
    direct = await createJob(stack, 'direct', directJob(), files());
  });

  const asOther = (path: string, init: RequestInit = {}) =>
    stack.api(path, { ...init, headers: { authorization: `Bearer ${stack.otherApiKey}` } });
  const other = (flow: 'portal' | 'direct', job: () => JobBody, rest = '') =>
    `${jobsPath(flow, OTHER_ORG)}/${job().id}${rest}`;

  const endpoints: [string, () => Promise<Response>][] = [
    ['read', () => asOther(other('portal', () => portal))],
    ['direct status', () => asOther(other('direct', () => direct, '/status?status_query_token=x'))],
    [
      'cancel',
      () =>
        asOther(
          other('portal', () => portal, '/cancel'),
          { method: 'POST' },
        ),
    ],
    [
      'deadline',
      () =>
        asOther(
          other('portal', () => portal, '/deadline'),
          { method: 'POST', body: '{"availableSeconds":60}' },
        ),
    ],
    [
      'redirect URL',
      () =>
        asOther(
          other('direct', () => direct, `/signers/${direct.signers[0]!.id}/redirect-url`),
          { method: 'POST' },
        ),
    ],
    ['PAdES', () => asOther(other('portal', () => portal, '/pades'))],
    ['XAdES', () => asOther(other('portal', () => portal, `/signers/${portal.signers[0]!.id}/xades`))],
    [
      'delete documents',
      () =>
        asOther(
          other('portal', () => portal, '/documents'),
          { method: 'DELETE' },
        ),
    ],
    [
      'confirm a change',
      () =>
        asOther(
          other('portal', () => portal, '/complete'),
          { method: 'POST' },
        ),
    ],
  ];

  it.each(endpoints)('%s: 404', async (_name, send) => {
    await expectError(await send(), 404, 'NOT_FOUND');
  });

  it("and the other organisation's key on this organisation's path is 403", async () => {
    const res = await stack.api(`${jobsPath('portal')}/${portal.id}`, {
      headers: { authorization: `Bearer ${stack.otherApiKey}` },
    });
    await expectError(res, 403, 'FORBIDDEN');
  });

  it('the job itself is untouched', async () => {
    expect((await readJob(portal)).status).toBe('IN_PROGRESS');
  });
});
