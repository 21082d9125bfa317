/**
 * The documentation stays readable by whoever picks the project up: the README is a short entry,
 * every relative link in it and in docs/ reaches a file and a heading that exist, and no code
 * cites a document outside the repository (or a README section that moved to docs/).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../src/cli/commands.js';
import {
  anchorsOf,
  brokenLink,
  citationsOutside,
  headingSlug,
  missingProjectPaths,
  missingReadmeSections,
  relativeLinks,
  unknownCommands,
} from '../helpers/ops/docs-check.js';

const root = process.cwd();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The README's upper bound: an entry page, with the rest in docs/. */
const README_MAX_LINES = 260;

/** Documents another branch may still be writing: none now (every file's anchors are checked). */
const PENDING_DOCS: string[] = [];

/** The Markdown files whose links are checked: the README and every file of docs/. */
const markdownFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Files that may cite documents: everything tracked but Markdown, recorded data and these checks. */
function sourceFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
  return tracked.filter(
    (path) =>
      path !== '' &&
      !path.endsWith('.md') &&
      !path.endsWith('.json') &&
      !path.startsWith('test/histories/') &&
      !path.startsWith('test/fixtures/') &&
      path !== 'test/ops/docs.test.ts' &&
      path !== 'test/helpers/ops/docs-check.ts',
  );
}

describe('the checks themselves', () => {
  it('slug headings as GitHub does', () => {
    expect(headingSlug('Production on one host (docker compose)')).toBe(
      'production-on-one-host-docker-compose',
    );
    expect(headingSlug('Configuration of `npm run dev`')).toBe('configuration-of-npm-run-dev');
    expect([...anchorsOf('# A\n```sh\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1']);
  });

  it('find a broken link, a missing anchor and a citation outside the repository', () => {
    const links = relativeLinks('[a](docs/nowhere.md) [b](#gone) [c](https://example.org) `[d](x.md)`');
    expect(links).toEqual(['docs/nowhere.md', '#gone']);
    expect(brokenLink(root, 'README.md', 'docs/nowhere.md', read)).toMatch(/no file docs\/nowhere\.md/);
    expect(brokenLink(root, 'README.md', '#gone', read)).toMatch(/no heading #gone/);
    expect(brokenLink(root, 'docs/testing.md', '../README.md', read)).toBeNull();
    expect(citationsOutside(root, 'src/x.ts', '// the rule of domain.md')).toHaveLength(1);
    expect(citationsOutside(root, 'src/x.ts', '// see docs/domain.md and README.md')).toEqual([]);
    expect(citationsOutside(root, 'src/x.ts', '// as ../shared/docs/api.md says')).toHaveLength(2);
    expect(citationsOutside(root, 'src/x.ts', '// per the design note')).toHaveLength(1);
    expect(missingReadmeSections('a.ts', '// (README, "No such part")', '# Title\n')).toHaveLength(1);
    expect(missingReadmeSections('a.ts', '// (README, "Title")', '# Title\n')).toEqual([]);
  });

  it('find a project path that does not exist and a command nothing runs', () => {
    const text = '`src/rules/groups.ts`, `src/rules/nowhere.ts`, `DATA_DIR/pki`, `docs/<name>.md`';
    expect(missingProjectPaths(root, text)).toEqual(['src/rules/nowhere.ts']);
    const usage = '  jobs audit <jobId>   the trail\n  roles grant|revoke --pid <id>';
    expect(unknownCommands('`npm run dev`, `npm run cli -- jobs audit 1`', ['dev', 'cli'], usage)).toEqual(
      [],
    );
    expect(unknownCommands('`npm run cli -- roles grant`', ['cli'], usage)).toEqual([]);
    expect(unknownCommands('`npm run start`', ['dev'], usage)).toEqual(['npm run start: no such script']);
    expect(unknownCommands('`npm run cli -- jobs purge`', ['cli'], usage)).toEqual([
      'npm run cli -- jobs purge: not a CLI command',
    ]);
  });
});

describe('the documentation', () => {
  it(`keeps README.md at most ${README_MAX_LINES} lines`, () => {
    const lines = read('README.md').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('has every relative link of README.md and docs/ reach a file and heading that exist', () => {
    const broken = markdownFiles.flatMap((file) =>
      relativeLinks(read(file))
        .map((target) => brokenLink(root, file, target, read, PENDING_DOCS))
        .filter((problem) => problem !== null)
        .map((problem) => `${file}: ${problem}`),
    );
    expect(broken).toEqual([]);
  });

  it('names only project files that exist, npm scripts package.json has and commands the CLI lists', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
    const problems = markdownFiles.flatMap((file) => {
      const text = read(file);
      return [
        ...missingProjectPaths(root, text).map((path) => `${file}: no ${path}`),
        ...unknownCommands(text, scripts, USAGE).map((problem) => `${file}: ${problem}`),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('has no code cite a document outside the repository, nor a README section it lacks', () => {
    const readme = read('README.md');
    const problems = sourceFiles().flatMap((file) => {
      const text = read(file);
      return [
        ...citationsOutside(root, file, text, PENDING_DOCS),
        ...missingReadmeSections(file, text, readme),
      ];
    });
    expect(problems).toEqual([]);
  });
});
