/**
 * A flood from a process of its own (`node --import tsx test/hardening/flood-process.ts <json>`),
 * so that generating 1,000 requests a second does not slow the process that times `/healthz`:
 * prints the FloodResult as JSON. `floodFromChild` runs it and reads the result.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type FloodResult, flood } from './hostile-client.js';

export interface FloodSpec {
  url: string;
  perSecond: number;
  seconds: number;
  method: string;
  headers: Record<string, string>;
  /** The body of every request, base64. */
  body?: string;
}

const self = fileURLToPath(import.meta.url);

/**
 * Starts the flood process and resolves once it has loaded (its start-up is not part of the
 * attack); `go()` starts the flood and resolves with its result.
 */
export function floodFromChild(spec: FloodSpec): Promise<{ go(): Promise<FloodResult> }> {
  return new Promise((ready, failed) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify(spec)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let finished: (r: FloodResult) => void = () => {};
    let broke: (e: Error) => void = failed;
    const result = new Promise<FloodResult>((resolve, reject) => {
      finished = resolve;
      broke = reject;
    });
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.startsWith('ready\n')) {
        out = out.slice('ready\n'.length);
        ready({
          go: () => {
            child.stdin.end('go\n');
            return result;
          },
        });
      }
    });
    child.on('error', (e) => broke(e));
    child.on('exit', (code) => {
      if (code === 0) finished(JSON.parse(out) as FloodResult);
      else broke(new Error(`flood process exited with ${code}`));
    });
  });
}

if (process.argv[1] === self) {
  const spec = JSON.parse(process.argv[2]!) as FloodSpec;
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body, 'base64');
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  const result = await flood(spec.url, spec.perSecond, spec.seconds, () => ({
    method: spec.method,
    headers: spec.headers,
    ...(body ? { body } : {}),
  }));
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}
