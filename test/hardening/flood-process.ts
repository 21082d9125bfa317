/**
 * A flood from a process of its own (`node --import tsx test/hardening/flood-process.ts <json>`),
 * so that generating 1,000 requests a second does not slow the process that times `/healthz`:
 * prints the FloodResult as JSON. `floodFromChild` runs it and reads the result.
 */
import { spawn } from 'node:child_process';
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

export function floodFromChild(spec: FloodSpec): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as FloodResult);
      else reject(new Error(`flood process exited with ${code}`));
    });
  });
}

if (process.argv[1] === self) {
  const spec = JSON.parse(process.argv[2]!) as FloodSpec;
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body, 'base64');
  const result = await flood(spec.url, spec.perSecond, spec.seconds, () => ({
    method: spec.method,
    headers: spec.headers,
    ...(body ? { body } : {}),
  }));
  process.stdout.write(JSON.stringify(result));
}
