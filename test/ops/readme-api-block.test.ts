/**
 * The README's "Try it through the API" block runs as written, from a folder outside the checkout:
 * it is taken from README.md, pointed at this test's service (its port and API key instead of
 * :3000 and dev-api-key, nothing else changed) and run with bash from a scratch folder. It needs
 * no PDF library or file of its own, ends with a verified signed PDF, and writes nothing into the
 * checkout.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

const run = promisify(execFile);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function readmeApiBlock(): Promise<string> {
  const readme = await readFile(join(process.cwd(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Try it through the API'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no sh block under "Try it through the API"');
  return block;
}

describe('README: Try it through the API', () => {
  it('runs from a scratch folder, signs and verifies a job, and leaves the checkout alone', async () => {
    const block = await readmeApiBlock();
    expect(block).not.toMatch(/require\(|node_modules/);
    const host = new URL(stack.baseUrl).host;
    const script = block.replaceAll('localhost:3000', host).replaceAll('dev-api-key', stack.apiKey);
    const before = (await run('git', ['status', '--porcelain', '--untracked-files=all'])).stdout;
    const scratch = await mkdtemp(join(tmpdir(), 'readme-block-'));
    try {
      // -e: any failing line (curl -f on an error answer) fails the block.
      const { stdout } = await run('bash', ['-e', '-c', script], {
        cwd: scratch,
        timeout: 90_000,
        env: { ...process.env, TMPDIR: scratch },
      });
      const jobId = /job ([0-9a-f-]{36});/.exec(stdout)?.[1];
      expect(jobId).toBeDefined();
      const job = (await (await stack.api(`/api/${ORG}/portal/signature-jobs/${jobId}`)).json()) as {
        status: string;
      };
      expect(job.status).toBe('COMPLETED_SUCCESSFULLY');
      // The last answer is /api/verify's report on the signed PDF.
      expect(stdout).toMatch(/"valid":true,"problems":\[\]\}job /);
      // Its files went into the temporary folder it made (under TMPDIR), none into the checkout.
      const made = await readdir(scratch, { recursive: true });
      expect(made.some((f) => f.endsWith('signed.pdf'))).toBe(true);
      expect((await run('git', ['status', '--porcelain', '--untracked-files=all'])).stdout).toBe(before);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
