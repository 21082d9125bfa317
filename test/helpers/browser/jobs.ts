/** Creating jobs through the sender API of the pages' server, and reading them back. */
import { expect } from 'vitest';
import type { PagesStack } from '../pages-stack.js';
import { createForm } from '../requests.js';
import { ORG } from '../stack.js';

export interface CreatedJob {
  id: string;
  status: string;
  activated?: boolean;
  signers: { id: string; signer: string; status: string; redirectUrl?: string }[];
  next?: { kind: string; waitingFor?: number };
}

export async function createJob(
  ps: PagesStack,
  flow: 'direct' | 'portal',
  job: Record<string, unknown>,
  files: Record<string, Uint8Array | string>,
): Promise<CreatedJob> {
  const res = await ps.api(`/api/${ORG}/${flow}/signature-jobs`, {
    method: 'POST',
    body: createForm(job, files),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  const created = body as CreatedJob;
  // A portal job's first group is activated by its workflow a moment after creation.
  if (flow === 'portal') await waitForJob(ps, flow, created.id, (j) => j.activated === true);
  return created;
}

export async function readJob(ps: PagesStack, flow: 'direct' | 'portal', id: string): Promise<CreatedJob> {
  return (await (await ps.api(`/api/${ORG}/${flow}/signature-jobs/${id}`)).json()) as CreatedJob;
}

/** Polls the job until `check` holds (the workflow records asynchronously), at most ~10 s. */
export async function waitForJob(
  ps: PagesStack,
  flow: 'direct' | 'portal',
  id: string,
  check: (job: CreatedJob) => boolean,
): Promise<CreatedJob> {
  let job = await readJob(ps, flow, id);
  for (let i = 0; i < 100 && !check(job); i++) {
    await new Promise((r) => setTimeout(r, 100));
    job = await readJob(ps, flow, id);
  }
  expect(check(job), JSON.stringify(job)).toBe(true);
  return job;
}
