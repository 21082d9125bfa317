/**
 * `KEY=VALUE` files as docker compose reads them with `env_file:` (comments and blank lines
 * skipped, the value is the rest of the line): so `npm run cluster` takes the same settings from
 * deploy/ as docker-compose.yml instead of a copy of them.
 */
import { readFileSync } from 'node:fs';

export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a KEY=VALUE line: ${line}`);
    vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

export const readEnvFile = (path: string) => parseEnvFile(readFileSync(path, 'utf8'));

/** The tag of `image` in a compose file's text (`image: temporalio/server:1.29.1` gives 1.29.1). */
export function composeImageTag(composeText: string, image: string): string {
  const escaped = image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const tag = new RegExp(`^\\s*image:\\s*${escaped}:(\\S+)\\s*$`, 'm').exec(composeText)?.[1];
  if (!tag) throw new Error(`docker-compose.yml names no ${image} image`);
  return tag;
}
