/**
 * Input PostgreSQL cannot store (NUL characters, lone UTF-16 surrogates) in any place a sender
 * can put it: refused as 400/404, never a 5xx, never a workflow stuck retrying a write.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createForm, samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';
import {
  createJob,
  devAct,
  directJob,
  EXIT_URLS,
  emailPortalJob,
  expectError,
  jobsPath,
} from './support/http.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

const post = (flow: 'direct' | 'portal', jobJson: string) =>
  stack.api(jobsPath(flow), { method: 'POST', body: createForm(jobJson, { 'contract.pdf': pdf }) });

describe('input that cannot be stored', () => {
  it('a lone surrogate in the title: 400 naming it', async () => {
    const json = JSON.stringify(emailPortalJob({ title: 'X' })).replace('"title":"X"', '"title":"\\ud800"');
    await expectError(await post('portal', json), 400, 'VALIDATION_FAILED', 'title');
  });

  it('a NUL character in an exit URL: 400 naming it', async () => {
    const json = JSON.stringify(
      directJob({ exitUrls: { ...EXIT_URLS, errorUrl: 'https://sender.example/e' } }),
    ).replace('https://sender.example/e', 'https://sender.example/e\\u0000');
    await expectError(await post('direct', json), 400, 'VALIDATION_FAILED', 'exitUrls.errorUrl');
  });

  it('a NUL character in a job or signer id: 404', async () => {
    await expectError(await stack.api(`${jobsPath('portal')}/%00`), 404, 'NOT_FOUND');
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
    await expectError(await stack.api(`${jobsPath('portal')}/${job.id}/signers/%00/xades`), 404, 'NOT_FOUND');
    await expectError(await devAct(stack, '%00', '%00', 'sign'), 404, 'NOT_FOUND');
  });

  it('a rejection reason with a NUL character or a lone surrogate: 400', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
    const reject = (raw: string) =>
      fetch(`${stack.baseUrl}/api/dev/signature-jobs/${job.id}/signers/${job.signers[0]!.id}/reject`, {
        method: 'POST',
        body: `{"reason":"${raw}"}`,
      });
    await expectError(await reject('a\\u0000b'), 400, 'VALIDATION_FAILED', 'reason');
    await expectError(await reject('\\udc00'), 400, 'VALIDATION_FAILED', 'reason');
  });
});
