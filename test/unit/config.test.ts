import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { workerTuningFromConfig } from '../../worker/worker.js';

const base = { DATABASE_URL: 'postgres://u:secret@localhost:5432/esign' };

describe('configuration', () => {
  it('fills defaults and derives the public URL', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.APP_ENV).toBe('production');
    expect(c.PUBLIC_URL).toBe('http://127.0.0.1:3000');
    expect(c.TEMPORAL_ADDRESS).toBe('localhost:7233');
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL.*missing/);
  });

  it('names every bad variable, without echoing passwords', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db', PORT: 'eighty', APP_ENV: 'staging' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/DATABASE_URL/);
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/APP_ENV/);
      expect(message).not.toMatch(/secret/);
    }
  });

  it('reads the rate limit, proxy, archive and worker tuning settings, naming a bad one', () => {
    const c = loadConfig({
      ...base,
      RATE_LIMIT_PER_SECOND: '0',
      TRUST_PROXY_HOPS: '1',
      ARCHIVE_RENEWAL_YEARS: '2',
      ARCHIVE_ALGORITHM_SUNSET: '2031-01-01T00:00:00Z',
      WORKER_MAX_CACHED_WORKFLOWS: '0',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
    });
    expect([c.RATE_LIMIT_PER_SECOND, c.RATE_LIMIT_BLOCK_SECONDS, c.TRUST_PROXY_HOPS]).toEqual([0, 30, 1]);
    expect([c.ARCHIVE_RENEWAL_YEARS, c.ARCHIVE_ALGORITHM_SUNSET]).toEqual([2, '2031-01-01T00:00:00Z']);
    expect(workerTuningFromConfig(c, 2)).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentActivityTaskExecutions: 8,
      maxConcurrentWorkflowTaskExecutions: 4,
      stickyQueueScheduleToStartTimeout: 2000,
    });
    // Unset slots follow the cores.
    expect(workerTuningFromConfig(loadConfig(base), 8)).toEqual({
      maxCachedWorkflows: 200,
      maxConcurrentActivityTaskExecutions: 32,
      maxConcurrentWorkflowTaskExecutions: 16,
      stickyQueueScheduleToStartTimeout: 2000,
    });
    expect(
      workerTuningFromConfig(
        loadConfig({
          ...base,
          WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40',
          WORKER_STICKY_TIMEOUT_MS: '10000',
        }),
        1,
      ),
    ).toMatchObject({
      maxConcurrentActivityTaskExecutions: 4,
      maxConcurrentWorkflowTaskExecutions: 40,
      stickyQueueScheduleToStartTimeout: 10000,
    });
    expect(loadConfig(base).ARCHIVE_RENEWAL_YEARS).toBe(3);
    expect(loadConfig(base).WORKFLOW_BUNDLE).toBe('prebuilt');
    expect(loadConfig({ ...base, WORKFLOW_BUNDLE: 'at-start' }).WORKFLOW_BUNDLE).toBe('at-start');
    for (const [name, value] of [
      ['RATE_LIMIT_PER_SECOND', '-1'],
      ['ARCHIVE_RENEWAL_YEARS', '0'],
      ['ARCHIVE_ALGORITHM_SUNSET', 'next year'],
      ['TRUST_PROXY_HOPS', 'many'],
      ['WORKER_MAX_CONCURRENT_ACTIVITIES', '0'],
      ['WORKER_STICKY_TIMEOUT_MS', '100'],
      ['WORKFLOW_BUNDLE', 'yes'],
    ]) {
      expect(() => loadConfig({ ...base, [name!]: value }), name).toThrow(new RegExp(name!));
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...base, PORT: '' }).PORT).toBe(3000);
  });
});

describe('entry points with a bad configuration', () => {
  it('stop at start-up with a message naming the variable, not a stack trace', async () => {
    const { spawnSync } = await import('node:child_process');
    for (const entry of ['api/main.ts', 'worker/main.ts']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', entry], {
        env: { PATH: process.env.PATH, DATABASE_URL: 'not-a-url', PORT: '99999' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
      expect(r.stderr).toMatch(/PORT/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
