/**
 * Replays every recorded history (test/histories/**.json) against the current workflow code,
 * without a server. A change that makes the workflow act differently on an old history (a
 * non-determinism error) fails here: put such a change behind `patched()`.
 *
 * test/histories/*.json are today's histories of every scenario (re-recorded with
 * RECORD_HISTORIES=1); the subfolders keep older ones, which guard jobs started before a patch,
 * each named for the last patch its code had (docs/workflow.md, "Recorded histories"). Histories
 * of branches retired since are in test/retired-histories/ and not replayed.
 */
import { readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { HISTORIES_DIR, historyFiles } from '../helpers/histories.js';
import { workflowBundle } from '../helpers/temporal.js';

const files = await historyFiles();

describe('recorded histories replay on the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(await readFile(`${HISTORIES_DIR}${file}`, 'utf8')));
    // Throws DeterminismViolationError (or the workflow's own failure) when the code no longer fits.
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, `replay-${file}`);
  });
});
