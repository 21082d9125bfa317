/**
 * Development apart from production: `npm run build` (tsconfig.build.json) compiles no
 * development harness (src/dev: the cluster, the local login and CSC providers, the proxy, the
 * SMTP sink, embedded PostgreSQL) and no test file, and no production entry point loads the synthetic test
 * population by a static import: it is reached only through the development register
 * (src/notifications/dev-register-seed.ts, loaded when CONTACT_REGISTER=dev asks for it).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve('.');
/** What the Dockerfile and compose run, and the admin CLI. */
const PRODUCTION_ENTRIES = ['api/main.ts', 'worker/main.ts', 'src/cli/main.ts'];
const TEST_POPULATION = ['src/notifications/test-population.ts', 'src/notifications/dev-register-seed.ts'];

/** The relative modules `file` imports statically (`import(...)` is left out: it loads on demand). */
function staticImports(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  const specifiers = [
    ...source.matchAll(/(?:^|[\n;])\s*(?:import|export)\b[^;'"()]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...source.matchAll(/(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g),
  ].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(root, resolve(root, dirname(file), s)).replace(/\.js$/, '.ts'))
    .map((s) => (existsSync(join(root, s)) ? s : s.replace(/\.ts$/, '.tsx')));
}

/** Every module `entry` loads through static imports, with the chain that leads to it. */
function importGraph(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const next of staticImports(file)) {
      if (chains.has(next)) continue;
      chains.set(next, [...chains.get(file)!, next]);
      queue.push(next);
    }
  }
  return chains;
}

describe('the production build', () => {
  it('compiles no development harness and no test', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    const compiled = stdout
      .split('\n')
      .map((f) => relative(root, f.trim()))
      .filter((f) => f && !f.startsWith('node_modules') && !f.startsWith('..'));
    // It is the build of the service: both entry points are in it.
    expect(compiled).toEqual(expect.arrayContaining(['api/main.ts', 'worker/main.ts']));
    // tsc compiles whatever an included file imports, excluded or not: this catches an import too.
    expect(compiled.filter((f) => f.startsWith('src/dev/'))).toEqual([]);
    // Unit tests beside the code they test (workflows/job-state.test.ts) stay out of the build.
    expect(compiled.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
  });

  it('gives no production entry point a static import of src/dev or the test population', () => {
    for (const entry of PRODUCTION_ENTRIES) {
      const graph = importGraph(entry);
      // The walk follows real imports (a broken walk would find nothing and pass).
      expect(graph.size, entry).toBeGreaterThan(entry === 'src/cli/main.ts' ? 10 : 50);
      const reached = [...graph]
        .filter(([file]) => file.startsWith('src/dev/') || TEST_POPULATION.includes(file))
        .map(([, chain]) => chain.join(' -> '));
      expect(reached, entry).toEqual([]);
    }
    // The walk does see a development import where one is: the local login provider's process.
    expect([...importGraph('src/dev/oidc-main.ts').keys()]).toContain('src/notifications/test-population.ts');
  });
});
