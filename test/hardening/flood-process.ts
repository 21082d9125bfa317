/**
 * An attack from a process of its own (`node --import tsx test/hardening/flood-process.ts <json>`),
 * so that generating 1,000 requests a second, or keeping 1,100 sockets trickling, does not slow
 * the process that times `/healthz`: prints the result as JSON. `floodFromChild` and
 * `slowSocketsFromChild` run it and read the result.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type FloodResult, flood, slowSockets } from './hostile-client.js';

export interface FloodSpec {
  url: string;
  perSecond: number;
  seconds: number;
  method: string;
  headers: Record<string, string>;
  /** The body of every request, base64. */
  body?: string;
  /** The attacker's address (a 127.x.y.z of its own). */
  localAddress?: string;
}

export interface SlowSocketsSpec {
  kind: 'slow-sockets';
  port: number;
  count: number;
  /** The attacker's address (a 127.x.y.z of its own). */
  localAddress?: string;
  seconds: number;
  lineEveryMs?: number;
  reopenAfterMs?: number;
}

const self = fileURLToPath(import.meta.url);

/**
 * Starts the flood process and resolves once it has loaded (its start-up is not part of the
 * attack); `go()` starts the flood and resolves with its result.
 */
export function floodFromChild(spec: FloodSpec): Promise<{ go(): Promise<FloodResult> }> {
  return fromChild(spec);
}

/** As floodFromChild: `count` slow sockets for `seconds`; resolves with the connections made. */
export function slowSocketsFromChild(
  spec: Omit<SlowSocketsSpec, 'kind'>,
): Promise<{ go(): Promise<{ connections: number }> }> {
  return fromChild({ kind: 'slow-sockets', ...spec });
}

function fromChild<R>(spec: FloodSpec | SlowSocketsSpec): Promise<{ go(): Promise<R> }> {
  return new Promise((ready, failed) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify(spec)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let finished: (r: R) => void = () => {};
    let broke: (e: Error) => void = failed;
    const result = new Promise<R>((resolve, reject) => {
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
      if (code === 0) finished(JSON.parse(out) as R);
      else broke(new Error(`flood process exited with ${code}`));
    });
  });
}

if (process.argv[1] === self) {
  const spec = JSON.parse(process.argv[2]!) as FloodSpec | SlowSocketsSpec;
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  if ('kind' in spec) {
    const attack = slowSockets(spec.port, spec);
    await new Promise((r) => setTimeout(r, spec.seconds * 1000));
    process.stdout.write(JSON.stringify(await attack.stop()));
  } else {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body, 'base64');
    const result = await flood(
      spec.url,
      spec.perSecond,
      spec.seconds,
      () => ({ method: spec.method, headers: spec.headers, ...(body ? { body } : {}) }),
      spec.localAddress,
    );
    process.stdout.write(JSON.stringify(result));
  }
  process.exit(0);
}
