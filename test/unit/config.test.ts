import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
