/**
 * The type check and the linter, as `npm run typecheck` and `npm run lint` run them, are part of
 * `npm test`: a change that breaks either fails CI, instead of being found by the next person who
 * runs them (biome 2.6 formats Markdown too, and `npm run lint` failed on eleven documents,
 * unnoticed, until 8 December 2026).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a tool of node_modules/.bin from the repository's folder: its exit status and output. */
function run(tool: string, args: string[]) {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', tool), args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

describe('static checks', () => {
  it('the code type-checks (tsc -p tsconfig.json --noEmit)', () => {
    const { status, output } = run('tsc', ['-p', 'tsconfig.json', '--noEmit']);
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 300_000);

  it('biome finds no error in the repository (biome check .)', () => {
    const { status, output } = run('biome', ['check', '.', '--diagnostic-level=error']);
    expect(output).toMatch(/^Checked \d+ files? in/);
    expect(output).not.toMatch(/Found \d+ errors?/);
    expect(status).toBe(0);
  }, 120_000);
});
