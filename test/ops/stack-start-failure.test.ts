/**
 * The API tests' stack (test/helpers/stack.ts) when its start fails part-way: a test file whose
 * beforeAll throws never calls stop(), so the stack itself must stop what it had started. Before,
 * the Temporal dev server of such a file outlived the test run (seen after a port clash in CI).
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { startStack } from '../helpers/stack.js';

/** Processes this test process started and that still run (the dev server is one). */
function childProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-P', String(process.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

it('a stack whose start fails after the Temporal dev server is up stops the server again', async () => {
  // The configuration is read after the dev server, the database and the port are ready.
  await expect(startStack({ env: { DOCUMENT_STORE: 'nonsense' } })).rejects.toThrow(/DOCUMENT_STORE/);
  expect(childProcesses().filter((p) => p.includes('temporal'))).toEqual([]);
}, 120_000);
