/**
 * Recorded workflow histories (test/histories/*.json): every workflow test scenario can save the
 * history of its job, and the replay test runs them all against the current workflow code, so a
 * change that would break running jobs fails CI. Record with `RECORD_HISTORIES=1`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));
export const recording = process.env.RECORD_HISTORIES === '1';

/** A file name for a scenario: lowercase words joined by dashes. */
export function historyFileName(scenario: string): string {
  return `${scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80)}.json`;
}

export async function saveHistory(handle: WorkflowHandle, scenario: string): Promise<void> {
  await mkdir(HISTORIES_DIR, { recursive: true });
  const history = await handle.fetchHistory();
  await writeFile(`${HISTORIES_DIR}${historyFileName(scenario)}`, `${historyToJSON(history)}\n`);
}
