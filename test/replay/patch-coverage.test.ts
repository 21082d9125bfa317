/**
 * The recorded histories must guard today's code, not only yesterday's:
 * - every `patched()` id a workflow in workflows/ uses appears in a recorded history of that
 *   workflow, so the new branch of every patch is replayed by histories.test.ts;
 * - every scenario of test/workflow has a current history (test/histories/<scenario>.json) that
 *   took every patch of its workflow, i.e. one recorded with today's code;
 * - every folder of test/retired-histories/ (`pre-<patch id>`: histories of a branch removed by
 *   the retirement rule, docs/workflow.md) names a patch no workflow still passes to `patched()`.
 * Re-record with `RECORD_HISTORIES=1 npx vitest run test/workflow` after a change to a workflow.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { historyFileName, historyFiles, recordedPatches } from '../helpers/histories.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The patch ids a workflow source passes to `patched()`: literals, or constants of that file. */
function patchIdsOf(source: string): string[] {
  return [...source.matchAll(/\bpatched\(\s*([^)]*?)\s*\)/g)].map(([, arg = '']) => {
    const literal = /^(['"])(.+)\1$/.exec(arg);
    if (literal) return literal[2]!;
    const constant = new RegExp(`\\b${arg}\\s*=\\s*(['"])([^'"]+)\\1`).exec(source);
    if (!constant) throw new Error(`cannot tell the patch id of patched(${arg})`);
    return constant[2]!;
  });
}

/** The scenario names of a test file: the titles of its `it(...)` calls. */
function scenariosOf(source: string): string[] {
  return [...source.matchAll(/\bit\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)].map(([, , title = '']) =>
    title.replace(/\\(.)/g, '$1'),
  );
}

/** Each workflow in workflows/: its type (the exported function) and the patch ids it uses. */
async function workflowPatches(): Promise<{ workflowType: string; patches: string[] }[]> {
  const files = (await readdir(`${root}workflows`)).filter((f) => f.endsWith('.ts'));
  const result = [];
  for (const file of files) {
    const source = await readFile(`${root}workflows/${file}`, 'utf8');
    const patches = patchIdsOf(source);
    if (patches.length === 0) continue;
    const workflowType = /export async function (\w+)\(/.exec(source)?.[1];
    if (!workflowType) throw new Error(`workflows/${file} uses patched() but exports no workflow`);
    result.push({ workflowType, patches });
  }
  return result;
}

const histories = await Promise.all(
  (await historyFiles()).map(async (file) => ({ file, ...(await recordedPatches(file)) })),
);
const workflows = await workflowPatches();
const testDir = `${root}test/workflow/`;
const testFiles = (await readdir(testDir)).filter((f) => f.endsWith('.test.ts'));
const scenarios = (
  await Promise.all(testFiles.map(async (f) => scenariosOf(await readFile(`${testDir}${f}`, 'utf8'))))
).flat();

describe('recorded histories cover today’s workflow code', () => {
  it('finds the patches of the signature-job workflow', () => {
    const job = workflows.find((w) => w.workflowType === 'signatureJob');
    expect(job?.patches).toEqual([
      'recorded-updates-v1',
      'archive-handoff-v1',
      'ends-with-job-v1',
      'local-recording-v1',
    ]);
  });

  it('retired histories are of patches whose old branch is gone', async () => {
    const retired = (await readdir(`${root}test/retired-histories`, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(retired).toContain('pre-notices-v1');
    const active = workflows.flatMap((w) => w.patches);
    for (const folder of retired) {
      const id = /^pre-(.+)$/.exec(folder)?.[1];
      expect(id, `test/retired-histories/${folder} is not named pre-<patch id>`).toBeDefined();
      expect(active, `${id} is retired but still patched()`).not.toContain(id);
    }
  });

  it.each(workflows.flatMap((w) => w.patches.map((id) => [w.workflowType, id] as const)))(
    '%s: patch %s is in a recorded history',
    (workflowType, id) => {
      const covering = histories.filter((h) => h.workflowType === workflowType && h.patches.includes(id));
      expect(
        covering.map((h) => h.file),
        `no recorded ${workflowType} history took ${id}`,
      ).not.toEqual([]);
    },
  );

  it('finds the scenarios of test/workflow', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });

  it.each(scenarios)('scenario "%s" has a current history', (scenario) => {
    const history = histories.find((h) => h.file === historyFileName(scenario));
    expect(history, `test/histories/${historyFileName(scenario)} is missing`).toBeDefined();
    // Current: recorded with every patch its workflow uses today.
    const current = workflows.find((w) => w.workflowType === history!.workflowType)?.patches ?? [];
    expect(history!.patches).toEqual(expect.arrayContaining(current));
  });
});
