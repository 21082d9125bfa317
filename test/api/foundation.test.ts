/**
 * The vertical slice against the real stack (Temporal dev server, PostgreSQL, worker, HTTP):
 * authentication, creating a portal job, reading it back from the workflow, health, and errors
 * in the contract's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENDER_ORGANIZATION } from '../../src/job/search-attributes.js';
import { untilActivated } from '../helpers/api/http.js';
import { createForm, portalJob, samplePdf } from '../helpers/requests.js';
import { ORG, OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

const jobsPath = `/api/${ORG}/portal/signature-jobs`;

describe('health', () => {
  it('checks the database and Temporal for real', async () => {
    const res = await fetch(`${stack.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { db: 'ok', temporal: 'ok' } });
  });
});

describe('creating and reading a portal job', () => {
  it('returns 201, starts the workflow with the sender search attribute, and GET answers from the workflow', async () => {
    const res = await stack.api(jobsPath, {
      method: 'POST',
      body: createForm(portalJob(), { 'contract.pdf': pdf }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as {
      id: string;
      status: string;
      links: { self: string };
      signers: { status: string }[];
    };
    expect(created.status).toBe('IN_PROGRESS');
    expect(created.signers.map((s) => s.status)).toEqual(['WAITING']);
    expect(res.headers.get('location')).toBe(created.links.self);

    const got = await fetch(created.links.self, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(got.status).toBe(200);
    const job = (await got.json()) as { id: string; status: string; activated: boolean };
    expect(job.id).toBe(created.id);
    expect(job.status).toBe('IN_PROGRESS');

    // The workflow carries the sender organisation as a search attribute operators filter by.
    const handle = stack.env.client.workflow.getHandle(`signature-job-${created.id}`);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(SENDER_ORGANIZATION)).toBe(ORG);

    const doc = await stack.t.db
      .selectFrom('documents')
      .select(['size_bytes', 'file_name'])
      .where('job_id', '=', created.id)
      .execute();
    expect(doc).toEqual([{ size_bytes: pdf.byteLength, file_name: 'contract.pdf' }]);
  });

  it('a dev-endpoint signature completes the job through the workflow', async () => {
    // Addressed by e-mail: no contact-register lookup decides the job's fate before the signature.
    const job = portalJob({ signers: [{ email: 'kari@example.com' }] });
    const res = await stack.api(jobsPath, { method: 'POST', body: createForm(job, { 'contract.pdf': pdf }) });
    const created = (await res.json()) as { id: string; links: { self: string }; signers: { id: string }[] };
    await untilActivated(stack, created.links.self);
    const signed = await fetch(
      `${stack.baseUrl}/api/dev/signature-jobs/${created.id}/signers/${created.signers[0]!.id}/sign`,
      {
        method: 'POST',
        body: JSON.stringify({ authenticationLevel: 4 }),
      },
    );
    expect(signed.status).toBe(200);
    let status = '';
    for (let i = 0; i < 50 && status !== 'COMPLETED_SUCCESSFULLY'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await (await stack.api(`${jobsPath}/${created.id}`)).json()) as { status: string }).status;
    }
    expect(status).toBe('COMPLETED_SUCCESSFULLY');
    const again = await fetch(
      `${stack.baseUrl}/api/dev/signature-jobs/${created.id}/signers/${created.signers[0]!.id}/sign`,
      {
        method: 'POST',
      },
    );
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ALREADY_ACTED');
  });
});

describe('authentication and isolation', () => {
  it('no key: 401 in the error shape', async () => {
    const res = await fetch(`${stack.baseUrl}${jobsPath}/x`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('a wrong key: 401', async () => {
    const res = await stack.api(`${jobsPath}/x`, { headers: { authorization: 'Bearer not-a-key' } });
    expect(res.status).toBe(401);
  });

  it("another organisation's path: 403", async () => {
    const res = await stack.api(`/api/${OTHER_ORG}/portal/signature-jobs/x`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it("another organisation's job under its own path: 404", async () => {
    const res = await stack.api(jobsPath, {
      method: 'POST',
      body: createForm(portalJob(), { 'contract.pdf': pdf }),
    });
    const { id } = (await res.json()) as { id: string };
    const other = await fetch(`${stack.baseUrl}/api/${OTHER_ORG}/portal/signature-jobs/${id}`, {
      headers: { authorization: `Bearer ${stack.otherApiKey}` },
    });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});

describe('malformed requests', () => {
  it('a body that is not multipart: 400 naming the content type', async () => {
    const res = await stack.api(jobsPath, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('INVALID_CONTENT_TYPE');
    expect(body.error.details[0]!.path).toBe('Content-Type');
  });

  it('a broken multipart body: 400 in the error shape', async () => {
    const res = await stack.api(jobsPath, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="job"\r\n\r\n{"title":',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(['MALFORMED_MULTIPART', 'INVALID_JSON', 'MISSING_JOB_PART']).toContain(body.error.code);
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  it('invalid JSON in the job part: 400 naming `job`', async () => {
    const res = await stack.api(jobsPath, {
      method: 'POST',
      body: createForm('{"title": ', { 'contract.pdf': pdf }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('INVALID_JSON');
    expect(body.error.details[0]!.path).toBe('job');
  });

  it('an invalid field: 400 naming the field', async () => {
    const job = portalJob({ title: 'x'.repeat(81) });
    const res = await stack.api(jobsPath, { method: 'POST', body: createForm(job, { 'contract.pdf': pdf }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { path: string; code: string }[] } };
    expect(body.error.details).toContainEqual(expect.objectContaining({ path: 'title', code: 'TOO_LONG' }));
  });

  it('a missing document part: 400 naming the document', async () => {
    const res = await stack.api(jobsPath, { method: 'POST', body: createForm(portalJob(), {}) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { path: string; code: string }[] } };
    expect(body.error.details).toContainEqual(
      expect.objectContaining({ path: 'documents[0].fileName', code: 'MISSING_DOCUMENT_PART' }),
    );
  });
});

describe('metrics', () => {
  it('/metrics counts requests by route pattern and status', async () => {
    await fetch(`${stack.baseUrl}/healthz`);
    const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(text).toMatch(/esign_http_requests_total\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} [1-9]/);
  });
});
