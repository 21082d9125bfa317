/**
 * The runtime: the tests, and every process an npm script starts, run on the Node.js that
 * scripts/bootstrap.sh pins (an LTS release, 22 or newer), even when npm itself was started by an
 * older node on the machine (Node 20, past its end of life); the Dockerfile's image and
 * package.json's engines name the same.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/dev/tools.js';

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');
const PINNED = /^NODE_VERSION=(\S+)$/m.exec(read('scripts/bootstrap.sh'))?.[1] ?? '';
const major = (version: string) => Number(version.split('.')[0]);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<Run>((resolve) => {
    execFile(cmd, args, { cwd: projectRoot, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });

describe('the pinned Node.js', () => {
  it('is an LTS release, 22 or newer, and the one these tests run on', () => {
    expect(PINNED).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major(PINNED)).toBeGreaterThanOrEqual(22);
    // Node's even majors are its long-term-support lines.
    expect(major(PINNED) % 2).toBe(0);
    expect(process.versions.node, 'the tests run through `npm test` or scripts/with-node.sh').toBe(PINNED);
    expect(process.release.lts, 'an LTS build names its line').toMatch(/^[A-Z][a-z]+$/);
  });

  it('is the image and the lower bound of engines', () => {
    expect(read('Dockerfile')).toMatch(
      new RegExp(`^ARG NODE_IMAGE=node:${PINNED.replaceAll('.', '\\.')}-bookworm-slim$`, 'm'),
    );
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const floor = /^>=(\d+)$/.exec(engines)?.[1];
    expect(Number(floor), engines).toBeGreaterThanOrEqual(22);
    expect(Number(floor)).toBeLessThanOrEqual(major(PINNED));
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } }>;
    };
    expect(lock.packages['']?.engines?.node).toBe(engines);
  });

  it('loads oidc-provider without its unsupported-runtime warning', async () => {
    const r = await run(
      process.execPath,
      ['--input-type=module', '-e', "await import('oidc-provider')"],
      process.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/Unsupported runtime/);
  });
});

describe('npm scripts', () => {
  it('each runs its programs through scripts/with-node.sh (or is the bootstrap, or another script)', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(Object.keys(scripts).length).toBeGreaterThan(5);
    for (const [name, line] of Object.entries(scripts)) {
      for (const step of line.split('&&').map((s) => s.trim())) {
        const ok =
          /^bash scripts\/(bootstrap|with-node)\.sh( |$)/.test(step) ||
          /^npm run [\w:-]+$/.test(step) ||
          // Copying files starts no node.
          /^cp /.test(step);
        expect(ok, `${name}: ${step}`).toBe(true);
      }
    }
  });

  describe('started by the machine’s npm on the machine’s node', () => {
    let dir = '';
    let recorder = '';
    let records = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'runtime-'));
      recorder = join(dir, 'record.mjs');
      records = join(dir, 'records.jsonl');
      // Preloaded into every node started (NODE_OPTIONS is inherited): one line per process.
      await writeFile(
        recorder,
        `import { appendFileSync } from 'node:fs';
appendFileSync(process.env.RUNTIME_RECORDS, JSON.stringify({ node: process.versions.node, script: process.argv[1] ?? '' }) + '\\n');
`,
      );
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('`npm run cli` runs tsx and the CLI it starts on the pinned node', { timeout: 90_000 }, async () => {
      // The PATH a user has before any npm script ran: without the pinned node's folder, so
      // `npm` is the machine's, on the machine's node (on this project's machines, Node 20).
      const pinnedBin = join(projectRoot, '.tools/node/bin');
      expect(existsSync(join(pinnedBin, 'node')), 'scripts/bootstrap.sh installed the pinned node').toBe(
        true,
      );
      const machinePath = (process.env.PATH ?? '')
        .split(delimiter)
        .filter((p) => p && !p.startsWith(pinnedBin))
        .join(delimiter);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: machinePath,
        NODE_OPTIONS: `--import=${pathToFileURL(recorder).href}`,
        RUNTIME_RECORDS: records,
      };
      delete env.NODE;
      delete env.npm_node_execpath;
      const r = await run('npm', ['run', '--silent', 'cli', '--', '--help'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/api-keys/);

      const started = (await readFile(records, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { node: string; script: string });
      // npm itself runs on whatever node the machine has; everything the script starts does not.
      const fromScript = started.filter((p) => !/(^|[/\\])npm(-cli\.js)?$/.test(p.script));
      expect(
        fromScript.some((p) => p.script.endsWith(join('src', 'cli', 'main.ts'))),
        JSON.stringify(started),
      ).toBe(true);
      for (const p of fromScript) expect(p.node, p.script).toBe(PINNED);
    });
  });
});
