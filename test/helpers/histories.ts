/**
 * Recorded workflow histories (test/histories/*.json): every workflow test scenario can save the
 * history of its job, and the replay test runs them all against the current workflow code, so a
 * change that would break running jobs fails CI. Record with `RECORD_HISTORIES=1`.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));
export const recording = process.env.RECORD_HISTORIES === '1';

/** Every recorded history, as paths under HISTORIES_DIR (today's first, then older ones). */
export async function historyFiles(): Promise<string[]> {
  const entries = await readdir(HISTORIES_DIR, { recursive: true });
  return entries.filter((f) => f.endsWith('.json')).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}
const depth = (path: string) => path.split('/').length;

/** The workflow type of a recorded history and the patch ids it took (its `core_patch` markers). */
export async function recordedPatches(file: string): Promise<{ workflowType: string; patches: string[] }> {
  const history = historyFromJSON(JSON.parse(await readFile(`${HISTORIES_DIR}${file}`, 'utf8')));
  const events = history.events ?? [];
  const workflowType = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
  const patches = events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    if (!data) return [];
    return [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id];
  });
  return { workflowType, patches };
}

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
