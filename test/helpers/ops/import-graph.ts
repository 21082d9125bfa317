/**
 * A small import-graph walker over the production TypeScript sources, for the dependency check
 * (test/ops/dependencies.test.ts). TypeScript's own pre-processor lists each file's imports (type
 * imports and re-exports included: a type cycle couples modules as much as a value cycle does).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/** The production code: tests, benchmarks and scripts may reach into anything. */
export const PRODUCTION_ROOTS = ['src', 'api', 'workflows', 'activities', 'worker'];

export interface SourceFile {
  /** Relative to the project root, with forward slashes: `src/db/jobs.ts`. */
  path: string;
  text: string;
  /** The project files it imports, resolved like `path`. */
  imports: string[];
}

function listSources(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return listSources(root, path);
    // A unit test beside its module (workflows/job-state.test.ts) is a test, not production code.
    const isSource = /\.tsx?$/.test(entry.name) && !/\.(d|test)\.tsx?$/.test(entry.name);
    return isSource ? [path] : [];
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `../db/jobs.js` from `src/portal/x.ts` → `src/db/jobs.ts` (or .tsx, or a folder's index.ts). */
function resolveImport(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined; // a package
  const base = posix.join(posix.dirname(from), specifier).replace(/\.js$/, '');
  const found = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => isFile(join(root, c)));
  return found;
}

export function readSources(root: string, roots = PRODUCTION_ROOTS): SourceFile[] {
  return roots.flatMap((dir) =>
    listSources(root, dir).map((path) => {
      const text = readFileSync(join(root, path), 'utf8');
      const imports = ts
        .preProcessFile(text, true, true)
        .importedFiles.map((f) => resolveImport(root, path, f.fileName))
        .filter((p): p is string => p !== undefined);
      return { path, text, imports };
    }),
  );
}

/**
 * The module a file belongs to: a subfolder of src/ or api/ (`src/db`, `api/xml-api`), a loose
 * file at their root on its own (`src/config.ts`, `api/deps.ts`), else the top-level folder
 * (`workflows`, `activities`, `worker`).
 */
export function moduleOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'src' || parts[0] === 'api') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : path;
  return parts[0] ?? path;
}

/** Module → modules it imports, each with the file imports that make the edge. */
export function moduleGraph(files: SourceFile[]): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of files) {
    const from = moduleOf(file.path);
    for (const target of file.imports) {
      const to = moduleOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${file.path} → ${target}`]);
    }
  }
  return graph;
}

/** The strongly connected components of more than one module (Tarjan's algorithm): the cycles. */
export function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((e) => [...e.keys()])]);
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return found;
}
