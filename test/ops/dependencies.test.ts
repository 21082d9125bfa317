/**
 * The dependency rules of the production code (src, api, workflows, activities, worker):
 *
 * 1. No cycle among modules: a subfolder of src/ or api/, a loose file at their root, and the
 *    top-level folders workflows, activities and worker. Type imports count.
 * 2. No adapter imports another: the JSON API (api/json), the XML API (api/xml-api) and the
 *    pages (api/pages) are siblings over the same services. What they share as HTTP plumbing is
 *    in api/http, which imports no adapter; api/ itself holds only the composition (the app, its
 *    dependencies, the entry point and the XML API's listener), so nothing else piles up there.
 * 3. The job, signer and audit tables (signature_jobs, signers, audit_events) are queried only
 *    inside the data-access boundary, src/db.
 */
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/dev/tools.js';
import { cycles, moduleGraph, moduleOf, readSources } from '../helpers/ops/import-graph.js';

const files = readSources(projectRoot);

/**
 * Module edges that still close a cycle, each with why it is there; the check ignores them. Each
 * must still exist (the test says when one is gone, so the list only shrinks).
 */
const KNOWN_BACK_EDGES: Record<string, string> = {
  'src/job -> src/signing': 'job/documents.ts takes documents in with the PDF reader of src/signing/pdf',
  'src/job -> src/rules': 'job/schema.ts (the create request) applies the rules, which read the job model',
  'activities -> src/portal':
    'the notice activities issue signer links (src/portal/signer-links.ts, code-rules.ts, ceremony-paths.ts), which sit with the portal use cases that start workflows',
};

describe('the module graph', () => {
  const graph = moduleGraph(files);

  it('is read from the sources', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('api/json')?.has('src/services')).toBe(true);
  });

  it('has no cycle among modules, beyond the known edges listed here', () => {
    const pruned = new Map(
      [...graph].map(([from, edges]) => [
        from,
        new Map([...edges].filter(([to]) => !(`${from} -> ${to}` in KNOWN_BACK_EDGES))),
      ]),
    );
    const found = cycles(pruned).map((component) => ({
      component,
      edges: component.flatMap((from) =>
        [...(pruned.get(from) ?? [])]
          .filter(([to]) => component.includes(to))
          .map(([to, why]) => `${from} -> ${to} (${why[0]}${why.length > 1 ? `, +${why.length - 1}` : ''})`),
      ),
    }));
    expect(found).toEqual([]);
  });

  it('still has each known back edge (drop one from the list once it is gone)', () => {
    const gone = Object.keys(KNOWN_BACK_EDGES).filter((edge) => {
      const [from = '', to = ''] = edge.split(' -> ');
      return !graph.get(from)?.has(to);
    });
    expect(gone).toEqual([]);
  });
});

describe('the adapters', () => {
  const ADAPTERS = ['api/json', 'api/xml-api', 'api/pages'];
  const graph = moduleGraph(files);
  /** Where module `from` imports an adapter other than itself, as `file → target`. */
  const adapterImports = (from: (module: string) => boolean) =>
    files.flatMap((file) =>
      file.imports
        .filter((target) => {
          const [source, to] = [moduleOf(file.path), moduleOf(target)];
          return from(source) && ADAPTERS.includes(to) && source !== to;
        })
        .map((target) => `${file.path} → ${target}`),
    );

  it('are the folders of api/, beside the shared plumbing', () => {
    const folders = new Set(files.filter((f) => f.path.startsWith('api/')).map((f) => moduleOf(f.path)));
    for (const adapter of [...ADAPTERS, 'api/http']) expect(folders, adapter).toContain(adapter);
    // Each adapter does import the plumbing (the check below reads real edges).
    for (const adapter of ADAPTERS) expect(graph.get(adapter)?.has('api/http'), adapter).toBe(true);
  });

  it('import no other adapter', () => {
    expect(adapterImports((module) => ADAPTERS.includes(module))).toEqual([]);
  });

  it('are not imported by the HTTP plumbing they share', () => {
    expect(adapterImports((module) => module === 'api/http')).toEqual([]);
  });

  it('leave only the composition at the root of api/', () => {
    const loose = files.map((f) => f.path).filter((path) => /^api\/[^/]+$/.test(path));
    expect(loose.sort()).toEqual([
      'api/app.ts',
      'api/deps-from-config.ts',
      'api/deps.ts',
      'api/main.ts',
      'api/xml-api-listener.ts',
    ]);
  });
});

/** A query naming one of the tables: a query builder's table, a table-qualified column, raw SQL. */
const TABLES = '(signature_jobs|signers|audit_events)';
const QUERY_PATTERNS = [
  new RegExp(
    `\\b(selectFrom|insertInto|updateTable|deleteFrom|mergeInto|replaceInto|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin|with)\\(\\s*\\[?\\s*['"\`]${TABLES}\\b`,
  ),
  new RegExp(`['"\`]${TABLES}\\.[a-z_]+`),
  new RegExp(`\\b(from|join|update|into)\\s+${TABLES}\\b`, 'i'),
];

/** The lines of a file that query the tables, as `path:line: text`. */
function tableQueries(file: { path: string; text: string }): string[] {
  return file.text.split('\n').flatMap((line, i) => {
    const code = line.replace(/^\s*(\*|\/\/).*$/, ''); // comments may name a table
    return QUERY_PATTERNS.some((p) => p.test(code)) ? [`${file.path}:${i + 1}: ${line.trim()}`] : [];
  });
}

describe('the data-access boundary', () => {
  it('tells a query from a mention (the patterns themselves)', () => {
    const at = (text: string) => tableQueries({ path: 'x.ts', text });
    expect(at(".selectFrom('signers')")).toHaveLength(1);
    expect(at("db.selectFrom(['signature_jobs as j'])")).toHaveLength(1);
    expect(at(".innerJoin('signature_jobs', 'signature_jobs.id', 'signers.job_id')")).toHaveLength(1);
    expect(at("  .where('signers.job_id', '=', id)")).toHaveLength(1);
    expect(at('sql`update audit_events set details = 1`')).toHaveLength(1);
    expect(at(".insertInto('audit_events')")).toHaveLength(1);
    expect(at("if (last === 'signers') return;")).toEqual([]);
    expect(at(' * the signers of the job, from the signature_jobs table')).toEqual([]);
    expect(at(".selectFrom('documents')")).toEqual([]);
  });

  it('is the only place that queries the job, signer and audit tables', () => {
    const outside = files.filter((f) => !f.path.startsWith('src/db/')).flatMap(tableQueries);
    expect(outside).toEqual([]);
  });

  it('does query them (the check reads the right files)', () => {
    const inside = files.filter((f) => f.path.startsWith('src/db/')).flatMap(tableQueries);
    expect(inside.length).toBeGreaterThan(10);
  });
});
