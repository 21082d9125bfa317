/**
 * The prebuilt workflow bundle (worker/workflow-bundle.ts) is taken only while it is current:
 * a build changed after bundling, or no bundle at all, means the worker bundles at start.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleIsCurrent, prebuiltWorkflowBundle } from '../../worker/workflow-bundle.js';

describe('bundleIsCurrent', () => {
  it('is current when no other file of the build is newer', () => {
    expect(bundleIsCurrent(2000, 2000)).toBe(true);
    expect(bundleIsCurrent(2001, 2000)).toBe(true);
  });
  it('is not when a file of the build is newer, or when there is no bundle', () => {
    expect(bundleIsCurrent(1999, 2000)).toBe(false);
    expect(bundleIsCurrent(undefined, 0)).toBe(false);
  });
});

describe('prebuiltWorkflowBundle', () => {
  let dist: string;
  const at = (path: string, seconds: number) => utimes(path, seconds, seconds);
  beforeEach(async () => {
    dist = await mkdtemp(join(tmpdir(), 'esign-bundle-'));
    await mkdir(join(dist, 'workflows'));
    await writeFile(join(dist, 'workflows', 'index.js'), 'export {}');
    await at(join(dist, 'workflows', 'index.js'), 1_000);
  });
  afterEach(() => rm(dist, { recursive: true, force: true }));

  it('gives the bundle made after the build', async () => {
    const bundle = join(dist, 'workflow-bundle.js');
    await writeFile(bundle, '/* bundle */');
    await at(bundle, 2_000);
    expect(prebuiltWorkflowBundle(bundle)).toBe(bundle);
  });

  it('gives nothing when a built file changed after the bundle, or when there is none', async () => {
    const bundle = join(dist, 'workflow-bundle.js');
    expect(prebuiltWorkflowBundle(bundle)).toBeUndefined();
    await writeFile(bundle, '/* bundle */');
    await at(bundle, 2_000);
    await at(join(dist, 'workflows', 'index.js'), 3_000);
    expect(prebuiltWorkflowBundle(bundle)).toBeUndefined();
  });
});
