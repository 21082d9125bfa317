/**
 * The workflow code bundled once, by `npm run build` (`dist/workflow-bundle.js`), instead of by
 * every worker at its start: a worker then loads neither the bundler nor the workflow sources, and
 * is ready in about a second instead of five to seven (docs/scaling.md#workers).
 *
 * Run as a script (the last step of `npm run build`), this module writes the bundle. A worker
 * takes the bundle only when it is at least as new as every other file of the build; otherwise
 * (under tsx and in tests there is no build, or the build changed after bundling) it bundles at
 * start, as before.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from './worker.js';

/** Where the build keeps the bundle: beside `worker/` and `workflows/` in `dist/`. */
export const BUNDLE_PATH = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

/** The bundle is usable when no other file of the build is newer (pure: the times are given). */
export function bundleIsCurrent(bundleMtimeMs: number | undefined, newestBuildMtimeMs: number): boolean {
  return bundleMtimeMs !== undefined && bundleMtimeMs >= newestBuildMtimeMs;
}

function newestMtimeMs(dir: string, except: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    if (path !== except) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The prebuilt bundle's path when it is current, else undefined (the worker bundles at start). */
export function prebuiltWorkflowBundle(bundlePath = BUNDLE_PATH): string | undefined {
  const mtime = statSync(bundlePath, { throwIfNoEntry: false })?.mtimeMs;
  if (mtime === undefined) return undefined;
  return bundleIsCurrent(mtime, newestMtimeMs(dirname(bundlePath), bundlePath)) ? bundlePath : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath() });
  writeFileSync(BUNDLE_PATH, code);
  console.log(`workflow bundle: ${BUNDLE_PATH} (${Math.round(code.length / 1024)} KB)`);
}
