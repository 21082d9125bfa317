/**
 * The parts of `npm run cluster` that stand in for compose's: the settings it reads from the
 * same files, and the proxy that does nginx's job (round robin, the next API when one refuses,
 * nginx's body limit, X-Forwarded-For, nginx's connection cap per client and header timeout).
 * The whole shape runs in `npm run test:cluster`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/app.js';
import { type ApiProxy, nginxBodyLimit, nginxClientLimits, startApiProxy } from '../../src/dev/api-proxy.js';
import { clusterPorts } from '../../src/dev/cluster.js';
import { composeImageTag, parseEnvFile, readEnvFile } from '../../src/dev/env-file.js';
import { JOB_SEARCH_ATTRIBUTES } from '../../src/job/search-attributes.js';
import { freePort } from '../helpers/ports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('settings shared with docker-compose.yml', () => {
  it('reads the image versions the bootstrap builds from the compose file', () => {
    const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const server = composeImageTag(compose, 'temporalio/server');
    expect(server).toMatch(/^\d+\.\d+\.\d+$/);
    // The admin tools (whose schema files compose uses) are the server's version.
    expect(composeImageTag(compose, 'temporalio/admin-tools').startsWith(`${server}-`)).toBe(true);
    expect(composeImageTag(compose, 'temporalio/ui')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(() => composeImageTag(compose, 'temporalio/nothing')).toThrow(/names no temporalio\/nothing/);
  });

  it('takes the server and namespace settings from deploy/temporal/*.env', () => {
    const server = readEnvFile(join(ROOT, 'deploy/temporal/server.env'));
    expect(server.DB).toBe('postgres12');
    expect(server.DBNAME).toBe('temporal');
    expect(server.VISIBILITY_DBNAME).toBe('temporal_visibility');
    expect(Number(server.NUM_HISTORY_SHARDS)).toBeGreaterThanOrEqual(128);
    const ns = readEnvFile(join(ROOT, 'deploy/temporal/namespace.env'));
    expect(ns.SEARCH_ATTRIBUTES!.split(/\s+/).sort()).toEqual(
      JOB_SEARCH_ATTRIBUTES.map((k) => `${k.name}=Keyword`).sort(),
    );
  });

  it('parses env files as compose does and refuses a line that is not KEY=VALUE', () => {
    expect(parseEnvFile('# c\n\nA=1\nB=x=y z\n')).toEqual({ A: '1', B: 'x=y z' });
    expect(() => parseEnvFile('just words')).toThrow(/not a KEY=VALUE line/);
  });

  it('keeps the internal ports of the command line apart', () => {
    const p = clusterPorts(
      { PORT: 4800, TEMPORAL_PORT: 4801, TEMPORAL_UI_PORT: 4802, PG_PORT: 4803, SMTP_PORT: 4804 },
      4820,
      { apis: 2, workers: 2 },
    );
    const all = [
      p.proxy,
      p.temporal,
      p.ui,
      p.postgres,
      p.smtp,
      ...p.apis,
      ...p.temporalInternal,
      ...p.workers.flatMap((w) => [w.metrics, w.sdkMetrics]),
    ];
    expect(new Set(all).size).toBe(all.length);
    expect(Math.max(...all)).toBeLessThan(4850);
  });
});

describe('the proxy in front of the API processes', () => {
  let upstreams: Server[];
  let proxy: ApiProxy;
  let refusedPort: number;
  const seen: { name: string; forwardedFor: string | undefined; bytes: number }[] = [];

  beforeAll(async () => {
    refusedPort = await freePort();
    upstreams = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const s = createServer((req, res) => {
          let bytes = 0;
          req.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          req.on('end', () => {
            seen.push({ name, forwardedFor: req.headers['x-forwarded-for'] as string | undefined, bytes });
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(name);
          });
        });
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
        return s;
      }),
    );
    const port = (s: Server) => (s.address() as { port: number }).port;
    proxy = await startApiProxy({
      port: await freePort(),
      // One upstream refuses connections (an API process that is down).
      upstreams: [
        `http://127.0.0.1:${port(upstreams[0]!)}`,
        `http://127.0.0.1:${refusedPort}`,
        `http://127.0.0.1:${port(upstreams[1]!)}`,
      ],
      maxBodyBytes: nginxBodyLimit(join(ROOT, 'deploy/nginx/nginx.conf')),
      clientLimits: nginxClientLimits(join(ROOT, 'deploy/nginx/nginx.conf')),
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    for (const s of upstreams ?? []) s.close();
  });

  it('answers its own health check', async () => {
    const res = await fetch(`${proxy.url}/proxy-health`);
    expect(res.status).toBe(200);
  });

  it('spreads requests over the API processes and skips one that refuses connections', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${proxy.url}/api/x`, { method: 'POST', body: `request ${i}` });
      expect(res.status).toBe(200);
      answers.push(await res.text());
    }
    expect(new Set(answers)).toEqual(new Set(['a', 'b']));
    // Each request reached exactly one upstream, with its body and the client's address.
    expect(seen.slice(-6)).toHaveLength(6);
    for (const s of seen.slice(-6)) {
      expect(s.forwardedFor).toBe('127.0.0.1');
      expect(s.bytes).toBeGreaterThan(0);
    }
  });

  it('takes nginx.conf’s cap per client address: one address’s extra connections are closed, others served', async () => {
    const { maxConnectionsPerAddress } = nginxClientLimits(join(ROOT, 'deploy/nginx/nginx.conf'));
    const port = Number(new URL(proxy.url).port);
    /** A socket from `from` (any 127.x.y.z is this machine): resolves with it once connected. */
    const open = (from: string) =>
      new Promise<Socket>((resolve) => {
        const s = connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve(s));
        s.on('error', () => {});
      });
    const held = await Promise.all(Array.from({ length: maxConnectionsPerAddress }, () => open('127.0.0.3')));
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(held.every((s) => !s.destroyed)).toBe(true);
      const extra = await open('127.0.0.3');
      const closed = await Promise.race([
        new Promise((r) => extra.once('close', () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 2000)),
      ]);
      expect(closed).toBe(true);
      // Another address is served meanwhile.
      expect((await fetch(`${proxy.url}/proxy-health`)).status).toBe(200);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('takes nginx.conf’s header timeout: a client trickling header lines is cut off', async () => {
    const { headersTimeoutMs } = nginxClientLimits(join(ROOT, 'deploy/nginx/nginx.conf'));
    const port = Number(new URL(proxy.url).port);
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/x HTTP/1.1\r\nHost: x\r\n'));
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: a\r\n'), 200);
    let received = '';
    socket.on('data', (b) => {
      received += b.toString();
    });
    socket.on('error', () => {});
    await new Promise((r) => socket.once('close', r));
    clearInterval(trickle);
    const openMs = Date.now() - started;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(openMs).toBeGreaterThanOrEqual(headersTimeoutMs - 100);
    expect(openMs).toBeLessThan(headersTimeoutMs + 2500);
  }, 20_000);

  it('takes nginx.conf’s body limit, above the API’s own, and refuses more with 413', async () => {
    const limit = nginxBodyLimit(join(ROOT, 'deploy/nginx/nginx.conf'));
    expect(limit).toBeGreaterThanOrEqual(MAX_BODY_BYTES);
    const before = seen.length;
    const res = await fetch(`${proxy.url}/api/x`, { method: 'POST', body: new Uint8Array(limit + 1) });
    expect(res.status).toBe(413);
    expect(seen.length).toBe(before);
  });
});
