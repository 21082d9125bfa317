/**
 * schemathesis (PyPI, pinned in scripts/bootstrap.sh) against /openapi.json of the real stack:
 * every operation, with examples, boundary values, fuzzed valid and invalid data and stateful
 * sequences. It checks that no answer is a 5xx, every status code and every answer body is the
 * one the document names, and a method no operation has gets 405. Bounded in time
 * (MAX_EXAMPLES per operation) and deterministic (`generation.deterministic`: the same cases in
 * the same order on every run), so it does not flake.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, directJob, emailPortalJob } from '../helpers/api/http.js';
import { samplePdf } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';

const ST = resolve('.tools/venv/bin/st');
/** Cases per operation: the whole run takes a minute or two on two busy cores (24 operations). */
const MAX_EXAMPLES = 30;
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'response_schema_conformance',
  'unsupported_method',
].join(',');

let stack: Stack;
let dir: string;
beforeAll(async () => {
  if (!existsSync(ST))
    throw new Error('schemathesis is missing: run `bash scripts/bootstrap.sh --test` (npm test does)');
  const pdf = await samplePdf();
  [stack, dir] = await Promise.all([startStack(), mkdtemp(join(tmpdir(), 'esign-schemathesis-'))]);
  // Real ids for the path parameters, so the cases reach the handlers instead of stopping at 404.
  // A portal job for {id} and its signer; a direct job is made too, so direct paths see one.
  const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });
  await createJob(stack, 'direct', directJob(), { 'contract.pdf': pdf });
  await writeFile(
    join(dir, 'schemathesis.toml'),
    [
      '[generation]',
      'deterministic = true',
      '[parameters]',
      `"path.org" = "${ORG}"`,
      `"path.id" = "${job.id}"`,
      `"path.signerId" = "${job.signers[0]!.id}"`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runSchemathesis(): Promise<{ code: number | null; output: string }> {
  const args = [
    '--config-file',
    join(dir, 'schemathesis.toml'),
    'run',
    `${stack.baseUrl}/openapi.json`,
    '--header',
    `Authorization: Bearer ${stack.apiKey}`,
    '--checks',
    CHECKS,
    '--max-examples',
    String(MAX_EXAMPLES),
    // One worker: hypothesis's source inspection is not thread-safe on Python 3.11 ("AST
    // constructor recursion depth mismatch"), and one worker keeps the order of cases fixed.
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--no-color',
    '--report',
    'har',
    '--report-har-path',
    join(dir, 'run.har'),
  ];
  return new Promise((done, fail) => {
    const child = spawn(ST, args, {
      cwd: dir,
      env: {
        ...process.env,
        // Its serializer for application/timestamp-query (POST /tsa).
        SCHEMATHESIS_HOOKS: 'schemathesis_hooks',
        PYTHONPATH: resolve('test/api'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => {
      output += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      output += b.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('schemathesis against /openapi.json', () => {
  it('finds no 5xx, no undocumented status code, no answer off its schema', {
    timeout: 300_000,
  }, async () => {
    const { code, output } = await runSchemathesis();
    const har = JSON.parse(await readFile(join(dir, 'run.har'), 'utf8')) as {
      log: { entries: { request: { method: string; url: string }; response: { status: number } }[] };
    };
    const entries = har.log.entries;
    // It did reach the API, on every kind of path, many times.
    expect(entries.length).toBeGreaterThan(500);
    const serverErrors = entries
      .filter((e) => e.response.status >= 500)
      .map((e) => `${e.response.status} ${e.request.method} ${e.request.url}`);
    expect(serverErrors).toEqual([]);
    expect(output).toMatch(/Tested: 2\d/);
    expect(code, output.slice(-20_000)).toBe(0);
  });
});
