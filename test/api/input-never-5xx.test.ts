/**
 * Input that once gave a 5xx (issue 12): JSON nested thousands of levels deep (the walk over it
 * overflowed the stack) and signing again after the job's documents were deleted (the first
 * signature's bytes were gone). Each is now a 4xx naming what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/rules/storable-text.js';
import {
  createJob,
  devAct,
  emailPortalJob,
  eventually,
  expectError,
  follow,
  jobsPath,
} from '../helpers/api/http.js';
import { createForm, samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

/** `depth` arrays, one inside the other, around `inner`. */
const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

/** A new portal job's deadline extended with `availableSeconds` nested `depth` levels deep. */
async function extendNested(depth: number) {
  const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
  return follow(stack, `${job.links.self}/deadline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"availableSeconds":${nested(depth)}}`,
  });
}

describe('deeply nested JSON', () => {
  it('10,000 levels in the `job` part: 400 naming the field, not a stack overflow', async () => {
    const json = JSON.stringify(emailPortalJob()).replace(/}$/, `,"reference":${nested(10_000)}}`);
    const res = await stack.api(jobsPath('portal'), {
      method: 'POST',
      body: createForm(json, { 'contract.pdf': pdf }),
    });
    const body = await expectError(res, 400, 'VALIDATION_FAILED');
    expect(body.error.details[0]).toMatchObject({ code: 'TOO_DEEP' });
    expect(body.error.details[0]!.path.startsWith('reference[0][0]')).toBe(true);
  });

  it('8,000 levels on /deadline: 400 naming the field', async () => {
    const body = await expectError(await extendNested(8_000), 400, 'VALIDATION_FAILED');
    expect(body.error.details[0]).toMatchObject({ code: 'TOO_DEEP' });
    expect(body.error.details[0]!.path.startsWith('availableSeconds[0]')).toBe(true);
  });

  it('nesting up to the limit is judged by the schema as before', async () => {
    const body = await expectError(
      await extendNested(MAX_JSON_DEPTH - 1),
      400,
      'VALIDATION_FAILED',
      'availableSeconds',
    );
    expect(body.error.details[0]!.code).toBe('INVALID_VALUE');
  });
});

describe('signing again after the documents were deleted', () => {
  it('the development endpoint answers 409 ALREADY_ACTED, not 500', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
    const signerId = job.signers[0]!.id;
    expect((await devAct(stack, job.id, signerId, 'sign')).status).toBe(200);
    await eventually(
      async () => (await (await follow(stack, job.links.self)).json()) as { status: string },
      (j) => j.status === 'COMPLETED_SUCCESSFULLY',
    );
    // Before the deletion too: the second signature is refused, and no second XAdES is kept.
    await expectError(await devAct(stack, job.id, signerId, 'sign'), 409, 'ALREADY_ACTED');
    expect((await follow(stack, `${job.links.self}/documents`, { method: 'DELETE' })).status).toBe(202);
    await eventually(
      () =>
        stack.t.db
          .selectFrom('artifacts')
          .select('deleted_at')
          .where('job_id', '=', job.id)
          .where('kind', '=', 'XADES')
          .executeTakeFirstOrThrow(),
      (a) => a.deleted_at !== null,
    );
    await expectError(await devAct(stack, job.id, signerId, 'sign'), 409, 'ALREADY_ACTED');
    await expectError(await devAct(stack, job.id, signerId, 'reject'), 409, 'ALREADY_ACTED');
  });
});
