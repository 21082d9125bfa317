/**
 * Checks that keep the documentation honest (test/ops/docs.test.ts): every relative link in the
 * README and docs/ reaches a file and a heading that exist, and the code cites only documents in
 * the repository. Pure functions over text, so the checks themselves are unit-tested.
 */
import { existsSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Markdown without its fenced code blocks, so a `#` comment in a shell block is no heading. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^ {0,3}```[\s\S]*?^ {0,3}```/gm, '');
}

/** Every anchor a Markdown file offers: its headings' slugs, repeated ones numbered as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = headingSlug(match[1] ?? '');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** The relative links of a Markdown file: `[text](target)`, outside code, not to another site. */
export function relativeLinks(markdown: string): string[] {
  const prose = withoutFences(markdown).replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/**
 * Why a link from `fromFile` (a path under `root`) is broken, or null when it holds. `readText`
 * gives a file's text; `pending` names files another branch is writing, whose links may wait.
 */
export function brokenLink(
  root: string,
  fromFile: string,
  target: string,
  readText: (path: string) => string,
  pending: readonly string[] = [],
): string | null {
  const [pathPart = '', anchor] = target.split('#', 2);
  const path = pathPart === '' ? fromFile : normalize(join(dirname(fromFile), decodeURIComponent(pathPart)));
  if (path.startsWith('..')) return `${target}: leaves the repository`;
  if (!existsSync(join(root, path))) {
    return pending.includes(path) ? null : `${target}: no file ${path}`;
  }
  if (anchor === undefined || !path.endsWith('.md')) return null;
  return anchorsOf(readText(path)).has(anchor) ? null : `${target}: no heading #${anchor} in ${path}`;
}

/**
 * The documents a source file cites that are not in the repository: a `name.md` that is neither a
 * path from the repository's root nor from the file's own folder, a path into `../shared` or
 * `/work/`, or a "design note". `pending` names files another branch is writing.
 */
export function citationsOutside(
  root: string,
  file: string,
  text: string,
  pending: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/(?<![\w/.-])((?:\.{1,2}\/)?[\w./-]*\.md)\b/g)) {
    const cited = match[1] ?? '';
    const fromRoot = normalize(cited);
    const fromFolder = relative(root, join(root, dirname(file), cited));
    const inside = [fromRoot, fromFolder].some(
      (p) => !p.startsWith('..') && (existsSync(join(root, p)) || pending.includes(p)),
    );
    if (!inside) problems.push(`${file}: cites ${cited}, which is not in the repository`);
  }
  for (const match of text.matchAll(/\.\.\/shared\b|\/work\/|design notes?\b/gi)) {
    problems.push(`${file}: cites "${match[0]}", outside the repository`);
  }
  return problems;
}

/**
 * Sections of the README a source file names (`README, "X"`, `"X" in the README`, `README's X
 * section`) that the README does not have.
 */
export function missingReadmeSections(file: string, text: string, readme: string): string[] {
  const headings = new Set(
    [...withoutFences(readme).matchAll(/^#{1,6} +(.+?) *$/gm)].map((m) => (m[1] ?? '').toLowerCase()),
  );
  const named = [
    ...text.matchAll(/README(?:'s)?[,:]? *"([^"]+)"/g),
    ...text.matchAll(/"([^"]+)" (?:in|of) the README/g),
    ...text.matchAll(/README(?:'s)? ([A-Z][\w -]*?) section/g),
    ...text.matchAll(/README: ([\w -]+)\)/g),
  ].map((m) => m[1] ?? '');
  return named
    .filter((name) => !headings.has(name.toLowerCase()))
    .map((name) => `${file}: names the README section "${name}", which the README does not have`);
}

/** The project's own folders: a backticked path starting with one of them names a file of ours. */
const PROJECT_FOLDERS = [
  'src',
  'api',
  'workflows',
  'activities',
  'worker',
  'scripts',
  'test',
  'bench',
  'deploy',
  'docs',
];

/**
 * The project paths a Markdown file names in backticks (`src/rules/groups.ts`) that do not exist.
 * Patterns (`<jobId>`, `{org}`, `…`, `*`) are not paths and are left alone.
 */
export function missingProjectPaths(root: string, markdown: string): string[] {
  const paths = [...markdown.matchAll(/`([\w.-]+(?:\/[\w.-]+)+\/?)`/g)].map((m) => m[1] ?? '');
  return paths.filter(
    (path) => PROJECT_FOLDERS.includes(path.split('/')[0] ?? '') && !existsSync(join(root, path)),
  );
}

/**
 * The `npm run <script>` commands a Markdown file shows that package.json does not have, and the
 * `npm run cli -- <command>` ones whose command the CLI's usage text does not list.
 */
export function unknownCommands(markdown: string, scripts: readonly string[], cliUsage: string): string[] {
  const problems: string[] = [];
  for (const match of markdown.matchAll(/npm run ([\w:-]+)/g)) {
    const script = match[1] ?? '';
    if (!scripts.includes(script)) problems.push(`npm run ${script}: no such script`);
  }
  for (const match of markdown.matchAll(/npm run cli -- ([a-z-]+)(?: ([a-z-]+))?/g)) {
    const [, command = '', sub] = match;
    const listed = new RegExp(`^ {2}${command}\\b${sub ? `.*\\b${sub}\\b` : ''}`, 'm');
    if (command !== '--help' && !listed.test(cliUsage)) {
      problems.push(`npm run cli -- ${command}${sub ? ` ${sub}` : ''}: not a CLI command`);
    }
  }
  return problems;
}
