/**
 * The switch for comparing with and without fairness (docs/scaling.md): the deployed dynamic
 * configuration turns fairness and the priority matcher on; TASK_FAIRNESS=off gives the server a
 * copy with both off, the dev server the same values, and jobs no fairness key.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dynamicConfigFile } from '../../src/dev/cluster.js';
import { fairnessArgs } from '../../src/dev/temporal-server.js';
import { projectRoot } from '../../src/dev/tools.js';
import { fairnessEnabled } from '../../src/services/fairness.js';

const setting = (text: string, key: string) =>
  new RegExp(`^${key.replace('.', '\\.')}:\\n\\s+- value: (true|false)$`, 'm').exec(text)?.[1];

describe('TASK_FAIRNESS', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('leaves the deployed dynamic configuration, with fairness and the priority matcher on, when on', async () => {
    const file = await dynamicConfigFile(tmpdir(), true);
    expect(file).toBe(join(projectRoot, 'deploy/temporal/dynamicconfig.yaml'));
    const text = await readFile(file, 'utf8');
    expect(setting(text, 'matching.enableFairness')).toBe('true');
    expect(setting(text, 'matching.useNewMatcher')).toBe('true');
  });

  it('gives the server a copy with both off, the rest unchanged, when off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fairness-switch-'));
    dirs.push(dir);
    const file = await dynamicConfigFile(dir, false);
    expect(file.startsWith(dir)).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(setting(text, 'matching.enableFairness')).toBe('false');
    expect(setting(text, 'matching.useNewMatcher')).toBe('false');
    expect(setting(text, 'frontend.enableUpdateWorkflowExecution')).toBe('true');
  });

  it('sets the dev server the same way, and is on unless the variable says off', () => {
    expect(fairnessArgs(true)).toEqual([
      '--dynamic-config-value',
      'matching.useNewMatcher=true',
      '--dynamic-config-value',
      'matching.enableFairness=true',
    ]);
    expect(fairnessArgs(false).filter((a) => a.endsWith('=false'))).toHaveLength(2);
    expect(fairnessEnabled({})).toBe(true);
    expect(fairnessEnabled({ TASK_FAIRNESS: 'on' })).toBe(true);
    expect(fairnessEnabled({ TASK_FAIRNESS: 'off' })).toBe(false);
  });
});
