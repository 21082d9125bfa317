/**
 * Input PostgreSQL cannot store (NUL characters, lone UTF-16 surrogates) in any place a sender
 * can put it: refused as 400/404, never a 5xx, never a workflow stuck retrying a write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJob,
  devAct,
  directJob,
  EXIT_URLS,
  emailPortalJob,
  expectError,
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

  // A byte sequence that is not UTF-8 (0xC3 starts a two-byte sequence, `(` cannot continue it).
  const INVALID_UTF8 = Buffer.from([0xc3, 0x28]);
  /** A create body written byte by byte: the job part as a text field or as a file. */
  const rawCreate = (flow: 'direct' | 'portal', jobBytes: Buffer, asFile: boolean) => {
    const boundary = 'utf8-test-boundary';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="job"${asFile ? '; filename="job.json"' : ''}\r\n` +
          'Content-Type: application/json\r\n\r\n',
      ),
      jobBytes,
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="contract.pdf"; filename="contract.pdf"\r\n` +
          'Content-Type: application/pdf\r\n\r\n',
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return stack.api(jobsPath(flow), {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
  };
  const withTitle = (title: Buffer) => {
    const [before, after] = JSON.stringify(emailPortalJob({ title: 'TITLE' })).split('TITLE') as [
      string,
      string,
    ];
    return Buffer.concat([Buffer.from(before), title, Buffer.from(after)]);
  };

  it('invalid UTF-8 in the job part, as a text field or a file: 400 naming the part, nothing stored', async () => {
    const before = await stack.t.db.selectFrom('signature_jobs').select('id').execute();
    for (const asFile of [false, true]) {
      const json = withTitle(Buffer.concat([Buffer.from('Avtale '), INVALID_UTF8]));
      await expectError(await rawCreate('portal', json, asFile), 400, 'INVALID_UTF8', 'job');
    }
    expect(await stack.t.db.selectFrom('signature_jobs').select('id').execute()).toEqual(before);
  });

  it('a U+FFFD the sender really wrote (valid UTF-8) is kept', async () => {
    for (const asFile of [false, true]) {
      const res = await rawCreate('portal', withTitle(Buffer.from('Avtale \uFFFD')), asFile);
      const body = (await res.json()) as { title: string };
      expect([res.status, body.title]).toEqual([201, 'Avtale \uFFFD']);
    }
  });

  it('invalid UTF-8 in a JSON body: 400 naming the body, the signer has not rejected', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
    const res = await fetch(
      `${stack.baseUrl}/api/dev/signature-jobs/${job.id}/signers/${job.signers[0]!.id}/reject`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"reason":"Feil '), INVALID_UTF8, Buffer.from('"}')]),
      },
    );
    await expectError(res, 400, 'INVALID_UTF8', '(body)');
    const signers = await stack.t.db
      .selectFrom('signers')
      .select('status')
      .where('job_id', '=', job.id)
      .execute();
    expect(signers.map((s) => s.status)).toEqual(['WAITING']);
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
