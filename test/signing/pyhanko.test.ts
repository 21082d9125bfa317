import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSealedPades, renewArchiveTimeStamp } from '../../src/signing/index.js';
import { simplePdf } from '../fixtures/signing/pdfs.js';
import { jobInput, PIDS, signAll, signingWorld } from '../helpers/signing.js';
import { keepOnFailure, scratchDir, writeTemp } from './validators.js';

/**
 * pyHanko is not a Debian package: `npm test` installs it into the project venv (scripts/
 * bootstrap.sh --test). It validates what pdfsig cannot: the document time-stamps, and that every
 * update after the seal is signature maintenance only. Missing, the test fails with the command
 * that installs it, as the Debian validators' tests do.
 */
const python = resolve('.tools/venv/bin/python');

beforeAll(() => {
  const found = existsSync(python) && spawnSync(python, ['-c', 'import pyhanko']).status === 0;
  if (!found) throw new Error('pyHanko is missing: run `bash scripts/bootstrap.sh --test` (npm test does)');
});

describe('pyHanko’s view of the sealed PAdES', () => {
  it('judges the seal valid with only signature-maintenance changes after it, and the time-stamps valid', async () => {
    const world = await signingWorld();
    const dir = scratchDir('pyhanko');
    const documents = [
      { title: 'A', fileName: 'a.pdf', mimeType: 'application/pdf', bytes: await simplePdf() },
    ];
    const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
    const pdf = await renewArchiveTimeStamp(
      await createSealedPades(jobInput(world, documents, signers)),
      world,
    );
    const path = writeTemp(dir, 'sealed.pdf', pdf);
    const root = writeTemp(dir, 'root.pem', world.rootPem);
    await keepOnFailure('pyhanko.pdf', pdf, () => {
      const run = spawnSync(python, [join('test', 'signing', 'pyhanko_validate.py'), path, root], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      const results = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(results).toHaveLength(3);
      expect(results[0]).toMatchObject({
        type: '/Sig',
        intact: true,
        valid: true,
        trusted: true,
        bottom_line: true,
        modification_level: 'LTA_UPDATES',
        timestamp_valid: true,
      });
      for (const stamp of results.slice(1)) {
        expect(stamp).toMatchObject({ type: '/DocTimeStamp', intact: true, valid: true, trusted: true });
      }
    });
  });
});
