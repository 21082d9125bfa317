/**
 * The production shape on one host (docker-compose.yml with the Dockerfile and deploy/), judged
 * on the model the compose CLI itself resolves (`docker compose config --format json`): no
 * container engine is needed for that, so this runs wherever `npm test` does. The two one-shot
 * scripts of the Temporal set-up run here too, against stand-ins of the tools they call.
 *
 * The compose plugin is built by `bash scripts/bootstrap.sh --test` into .tools/docker; without
 * it these tests fail (they never skip) and say so.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/app.js';
import { HTTP_LIMIT_DEFAULTS, loadConfig } from '../../src/config.js';
import { nginxClientLimits } from '../../src/dev/api-proxy.js';
import { signingKeyKind } from '../../src/eid/signing-keys.js';
import { JOB_SEARCH_ATTRIBUTES } from '../../src/job/search-attributes.js';
import { WORKER_MALLOC_ARENA_MAX, WORKER_NODE_OPTIONS } from '../../worker/process-env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKER_CONFIG = join(ROOT, '.tools/docker');
const PLUGIN = join(DOCKER_CONFIG, 'cli-plugins/docker-compose');
const BOOTSTRAP = 'bash scripts/bootstrap.sh --test';

/** Services that run once and exit; every other one runs for good. */
const ONE_SHOTS = ['temporal-schema', 'temporal-setup'];

interface Healthcheck {
  test?: string[];
  disable?: boolean;
}
interface Port {
  target: number;
  published?: string;
  host_ip?: string;
}
interface Mount {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number; restart_policy?: { condition?: string } };
  healthcheck?: Healthcheck;
  restart?: string;
  ports?: Port[];
  volumes?: Mount[];
}
interface Model {
  name: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`${cmd} could not be run (${err.message}); run \`${BOOTSTRAP}\``));
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

/**
 * `docker compose …` on this repository's file, with only the variables given: neither the
 * caller's environment nor a local `.env` file may change what is judged.
 */
async function compose(args: string[], vars: Record<string, string> = {}): Promise<Run> {
  if (!existsSync(PLUGIN)) {
    throw new Error(
      `the docker compose CLI plugin is missing (${PLUGIN}): run \`${BOOTSTRAP}\`, which builds it with Go`,
    );
  }
  return run(
    'docker',
    [
      'compose',
      '--project-directory',
      ROOT,
      '--file',
      join(ROOT, 'docker-compose.yml'),
      '--env-file',
      '/dev/null',
      ...args,
    ],
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', DOCKER_CONFIG, ...vars },
  );
}

async function resolvedModel(vars: Record<string, string> = {}): Promise<Model> {
  const r = await compose(['config', '--format', 'json'], vars);
  if (r.code !== 0) throw new Error(`docker compose config failed (${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as Model;
}

const env = (s: Service, name: string): string => {
  const value = s.environment?.[name];
  if (typeof value !== 'string') throw new Error(`${name} is not set`);
  return value;
};

/** The text a CMD / CMD-SHELL health check runs. */
const healthText = (s: Service) => (s.healthcheck?.test ?? []).slice(1).join(' ');

const imageTag = (image: string) => /^[^:]+:(.+)$/.exec(image)?.[1] ?? '';

// Resolved once. Without the compose plugin every test that needs the model fails with the
// reason (each one, not skipped); the script tests below need no plugin and still run.
let resolved: Model | Error = new Error('not resolved yet');
beforeAll(async () => {
  resolved = await resolvedModel().catch((err: Error) => err);
});
const theModel = (): Model => {
  if (resolved instanceof Error) throw resolved;
  return resolved;
};
const service = (name: string): Service => {
  const s = theModel().services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

describe('the compose CLI', () => {
  it('is the version bootstrap.sh pins', async () => {
    const pinned = /^COMPOSE_VERSION=v?(\S+)$/m.exec(
      readFileSync(join(ROOT, 'scripts/bootstrap.sh'), 'utf8'),
    );
    expect(pinned, 'COMPOSE_VERSION in scripts/bootstrap.sh').not.toBeNull();
    const r = await compose(['version', '--short']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().replace(/^v/, ''), `a stale plugin: run \`${BOOTSTRAP}\``).toBe(pinned![1]);
  });

  it('accepts the file without a warning (`docker compose config -q`)', async () => {
    const r = await compose(['config', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the service: API and worker', () => {
  it("runs two replicas of each, from this repository's image", () => {
    for (const name of ['api', 'worker']) {
      const s = service(name);
      expect(s.deploy?.replicas, name).toBe(2);
      expect(s.build?.context.replace(/\/$/, ''), name).toBe(ROOT.replace(/\/$/, ''));
      expect(s.build?.dockerfile, name).toBe('Dockerfile');
    }
    // One image for both roles: built once, started with different commands.
    expect(service('api').image).toBe(service('worker').image);
  });

  it('starts the built entry points, which `npm run build` makes from api/main.ts and worker/main.ts', () => {
    expect(service('api').command).toEqual(['node', 'dist/api/main.js']);
    expect(service('worker').command).toEqual(['node', 'dist/worker/main.js']);
    // The worker's V8 options and malloc arenas (worker/process-env.ts), as `npm run worker` gives them.
    expect(env(service('worker'), 'NODE_OPTIONS')).toBe(WORKER_NODE_OPTIONS);
    expect(env(service('worker'), 'MALLOC_ARENA_MAX')).toBe(WORKER_MALLOC_ARENA_MAX);
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.worker).toContain(
      `env MALLOC_ARENA_MAX=${WORKER_MALLOC_ARENA_MAX} node ${WORKER_NODE_OPTIONS} dist/worker/main.js`,
    );
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      extends: string;
      include: string[];
    };
    const base = JSON.parse(readFileSync(join(ROOT, build.extends), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(base.compilerOptions.rootDir).toBe('.');
    for (const name of ['api', 'worker']) {
      const js = service(name).command![1]!;
      // dist/<dir>/main.js comes from <dir>/main.ts when outDir is dist and rootDir the repository.
      expect(js.startsWith(`${base.compilerOptions.outDir}/`), js).toBe(true);
      const source = js.slice(base.compilerOptions.outDir.length + 1).replace(/\.js$/, '.ts');
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(build.include).toContain(source.split('/')[0]);
    }
    // The image's default command is the API's.
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/api\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
  });

  it('runs in production mode, reaching Temporal, the database and the mail catcher by service name', () => {
    for (const name of ['api', 'worker']) {
      const s = service(name);
      expect(env(s, 'APP_ENV')).toBe('production');
      expect(env(s, 'HOST')).toBe('0.0.0.0');
      expect(env(s, 'TEMPORAL_ADDRESS')).toBe('temporal:7233');
      expect(new URL(env(s, 'DATABASE_URL')).hostname).toBe('app-db');
      expect(new URL(env(s, 'SMTP_URL')).hostname).toBe('mail');
    }
    // The two roles must agree on everything they share.
    const shared = [
      'DATABASE_URL',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'PKI_DIR',
      'PUBLIC_URL',
      'SIGNING_KEYS',
    ];
    for (const name of shared) expect(env(service('worker'), name), name).toBe(env(service('api'), name));
  });

  it("keeps production's default for people's signing keys: none, not the test eID CA's", () => {
    const keys = env(service('api'), 'SIGNING_KEYS');
    expect(keys).toBe('none');
    const config = loadConfig({ DATABASE_URL: env(service('api'), 'DATABASE_URL'), SIGNING_KEYS: keys });
    expect(signingKeyKind(config.APP_ENV, config.SIGNING_KEYS)).toBe(signingKeyKind('production', undefined));
  });

  it('shares one PKI volume between every API and worker replica', () => {
    const pkiDir = env(service('api'), 'PKI_DIR');
    const mountOf = (s: Service) =>
      s.volumes?.find(
        (v) => v.type === 'volume' && `${pkiDir}/`.startsWith(`${v.target.replace(/\/$/, '')}/`),
      );
    const api = mountOf(service('api'));
    const worker = mountOf(service('worker'));
    expect(api, 'a named volume holding PKI_DIR on the API').toBeDefined();
    expect(worker?.source).toBe(api!.source);
    expect(theModel().volumes).toHaveProperty(api!.source!);
    // The PKI is created in a folder below the mount point: it is renamed into place there, and a
    // mount point itself cannot be replaced.
    expect(pkiDir).not.toBe(api!.target);
  });

  it('checks the API on /healthz and the worker on its METRICS_PORT /healthz', () => {
    const api = service('api');
    expect(healthText(api)).toContain(`http://127.0.0.1:${env(api, 'PORT')}/healthz`);
    const worker = service('worker');
    expect(env(worker, 'METRICS_PORT')).toBe('9464');
    expect(healthText(worker)).toContain(`http://127.0.0.1:${env(worker, 'METRICS_PORT')}/healthz`);
    // The health checks run `node -e` in the image (which has no curl): they must be one argument.
    for (const s of [api, worker]) expect(s.healthcheck?.test?.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  });

  it('lets the workers start only on a migrated database (the API migrates at start)', () => {
    expect(service('worker').depends_on?.api?.condition).toBe('service_healthy');
  });
});

/** The directives of the proxy's nginx.conf as the proxy service mounts it (comments left out). */
async function nginxConf(): Promise<string> {
  const conf = service('proxy').volumes?.find((v) => v.target === '/etc/nginx/nginx.conf');
  expect(conf?.type).toBe('bind');
  return (await readFile(conf!.source!, 'utf8')).replace(/#.*$/gm, '');
}

/** The text of a top-level block of nginx.conf (`http`, `stream`): from its opening line to its closing brace. */
function nginxBlock(text: string, name: string): string {
  const start = new RegExp(`^${name}\\s*\\{\\s*$`, 'm').exec(text);
  if (!start) throw new Error(`nginx.conf has no ${name} {} block`);
  let depth = 0;
  for (let i = start.index; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start.index, i + 1);
  }
  throw new Error(`nginx.conf: the ${name} {} block is not closed`);
}

/** The proxy's published port whose container port is `target`. */
const proxyPort = (target: number) => (service('proxy').ports ?? []).find((p) => p.target === target);

describe('one way in: the reverse proxy', () => {
  it('publishes the only ports of the API, HTTP and the XML API passthrough; the replicas publish none', () => {
    expect(service('api').ports ?? []).toEqual([]);
    expect(service('worker').ports ?? []).toEqual([]);
    const ports = service('proxy').ports ?? [];
    expect(ports.map((p) => `${p.published}:${p.target}`).sort()).toEqual(['8080:8080', '8443:8443']);
    // Nothing else reaches the API's container port, Temporal's frontend or a database from outside.
    for (const [name, s] of Object.entries(theModel().services)) {
      if (name === 'proxy') continue;
      for (const p of s.ports ?? []) {
        expect([3000, 7233, 5432], `${name} publishes ${p.target}`).not.toContain(p.target);
        // The operators' pages (Temporal UI, mail) have no login: loopback only.
        expect(p.host_ip, `${name}:${p.target} must be bound to 127.0.0.1`).toBe('127.0.0.1');
      }
    }
  });

  it('has the API trust exactly the one proxy in front of it for the client address', () => {
    expect(env(service('api'), 'TRUST_PROXY_HOPS')).toBe('1');
  });

  it('spreads requests over every `api` replica, re-resolving the name', async () => {
    const proxy = service('proxy');
    const text = nginxBlock(await nginxConf(), 'http');
    const apiPort = env(service('api'), 'PORT');
    // One upstream server entry naming the service: Docker's DNS answers with every replica.
    expect(text).toMatch(new RegExp(`^\\s*server\\s+api:${apiPort}\\s+resolve;`, 'm'));
    expect(text).toMatch(/^\s*resolver\s+127\.0\.0\.11\b/m);
    expect(text).toMatch(/^\s*proxy_pass\s+http:\/\/api;/m);
    // The proxy listens where its published port points.
    expect(text).toMatch(new RegExp(`^\\s*listen\\s+${proxyPort(8080)!.target};`, 'm'));
    // Bodies the API accepts pass the proxy.
    const limit = /^\s*client_max_body_size\s+(\d+)m;/m.exec(text);
    expect(limit, 'client_max_body_size in megabytes').not.toBeNull();
    expect(Number(limit![1]) * 1024 * 1024).toBeGreaterThanOrEqual(MAX_BODY_BYTES);
    // Its health check asks a location the configuration answers itself.
    expect(healthText(proxy)).toContain('http://127.0.0.1:8080/proxy-health');
    expect(text).toMatch(/location = \/proxy-health/);
  });

  it('holds slow and greedy clients itself, with the API’s own limits, and the API’s per-address cap is off behind it', async () => {
    const text = nginxBlock(await nginxConf(), 'http');
    // A cap per client address: the zone keyed by the address, applied in the server.
    const zone = /^\s*limit_conn_zone\s+\$binary_remote_addr\s+zone=(\w+):\d+m;/m.exec(text);
    expect(zone, 'limit_conn_zone keyed by the client address').not.toBeNull();
    const cap = new RegExp(`^\\s*limit_conn\\s+${zone![1]}\\s+(\\d+);`, 'm').exec(text);
    expect(Number(cap?.[1])).toBe(HTTP_LIMIT_DEFAULTS.HTTP_MAX_CONNECTIONS_PER_ADDRESS);
    // The same numbers the cluster's Node proxy reads from this file, and the API's defaults.
    const limits = nginxClientLimits(join(ROOT, 'deploy/nginx/nginx.conf'));
    expect(limits.maxConnectionsPerAddress).toBe(HTTP_LIMIT_DEFAULTS.HTTP_MAX_CONNECTIONS_PER_ADDRESS);
    expect(limits.headersTimeoutMs).toBe(HTTP_LIMIT_DEFAULTS.HTTP_HEADERS_TIMEOUT_MS);
    expect(limits.keepAliveTimeoutMs).toBe(HTTP_LIMIT_DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS);
    expect(limits.idleTimeoutMs).toBeLessThanOrEqual(HTTP_LIMIT_DEFAULTS.HTTP_IDLE_TIMEOUT_MS);
    // A body stalled between two reads is cut off, well within the API's request timeout.
    const body = /^\s*client_body_timeout\s+(\d+)s;/m.exec(text);
    expect(Number(body?.[1]) * 1000).toBeLessThan(HTTP_LIMIT_DEFAULTS.HTTP_REQUEST_TIMEOUT_MS);
    // The XML API's passthrough caps each client too (the API sees only the proxy there).
    const stream = nginxBlock(await nginxConf(), 'stream');
    const streamZone = /^\s*limit_conn_zone\s+\$binary_remote_addr\s+zone=(\w+):\d+m;/m.exec(stream);
    expect(streamZone, 'a stream limit_conn_zone keyed by the client address').not.toBeNull();
    expect(stream).toMatch(new RegExp(`^\\s*limit_conn\\s+${streamZone![1]}\\s+\\d+;`, 'm'));
    // Every connection to an API replica comes from the proxy: its own per-address cap is off.
    const apiConfig = loadConfig(service('api').environment as Record<string, string>);
    expect(apiConfig.HTTP_MAX_CONNECTIONS_PER_ADDRESS).toBe(0);
  });

  it('takes chunked request bodies, counting them against the body limit, and sends chunked responses', async () => {
    const text = nginxBlock(await nginxConf(), 'http');
    // Read whole (and limited) at the proxy, so a slow uploader holds nginx, not an API connection.
    expect(text).toMatch(/^\s*proxy_request_buffering\s+on;/m);
    expect(text).toMatch(/^\s*chunked_transfer_encoding\s+on;/m);
    // HTTP/1.1 to the API: what lets a response come back chunked.
    expect(text).toMatch(/^\s*proxy_http_version\s+1\.1;/m);
  });

  it("passes the XML API's TLS through untouched to every replica's XML_API_PORT, round robin", async () => {
    const m = await resolvedModel({ XML_API_TLS_DIR: '/etc/esign/xml-api-tls', XML_API_HTTPS_PORT: '9444' });
    const api = m.services.api!;
    const xmlPort = api.environment?.XML_API_PORT;
    expect(xmlPort).toMatch(/^\d+$/);
    expect(xmlPort).not.toBe(api.environment?.PORT);
    expect(m.services.proxy!.ports?.find((p) => p.target === 8443)?.published).toBe('9444');
    expect(api.environment?.XML_API_PUBLIC_URL).toBe('https://localhost:9444/xml-api');

    const stream = nginxBlock(await nginxConf(), 'stream');
    // A TCP proxy: no `ssl` on the listener and no TLS towards the API, so the client's own TLS
    // session (and certificate) reaches the API, which checks it.
    expect(stream).toMatch(/^\s*listen\s+8443;/m);
    expect(stream).not.toMatch(/\bssl\b|proxy_ssl|ssl_preread/);
    const pass = /^\s*proxy_pass\s+(\w+);/m.exec(stream);
    expect(pass, 'proxy_pass to an upstream').not.toBeNull();
    const upstream = new RegExp(`^\\s*upstream\\s+${pass![1]}\\s*\\{([^}]*)\\}`, 'm').exec(stream);
    expect(upstream, `upstream ${pass![1]}`).not.toBeNull();
    // The service name, re-resolved (Docker's DNS answers every replica); no balancing method
    // given: round robin. A zone is what `resolve` needs.
    expect(upstream![1]).toMatch(new RegExp(`^\\s*server\\s+api:${xmlPort}\\s+resolve;`, 'm'));
    expect(upstream![1]).toMatch(/^\s*zone\s+\w+\s+\d+k;/m);
    expect(upstream![1]).not.toMatch(/\b(hash|least_conn|random)\b/);
    expect(stream).toMatch(/^\s*resolver\s+127\.0\.0\.11\b/m);
  });

  it('turns the XML API on only with its TLS folder, mounted where the API reads its three PEM files', async () => {
    // Off by default: an empty XML_API_PORT, which the API reads as 0 (a trial needs no certificates).
    const off = service('api');
    expect(env(off, 'XML_API_PORT')).toBe('');
    expect(loadConfig({ DATABASE_URL: env(off, 'DATABASE_URL'), XML_API_PORT: '' }).XML_API_PORT).toBe(0);

    const on = (await resolvedModel({ XML_API_TLS_DIR: '/etc/esign/xml-api-tls' })).services.api!;
    const e = on.environment as Record<string, string>;
    const mount = on.volumes?.find((v) => v.type === 'bind' && v.source === '/etc/esign/xml-api-tls');
    expect(mount?.target).toBeDefined();
    expect(mount?.read_only).toBe(true);
    for (const name of ['XML_API_TLS_CERT_FILE', 'XML_API_TLS_KEY_FILE', 'XML_API_CLIENT_CA_FILE']) {
      expect(e[name]?.startsWith(`${mount!.target}/`), `${name}: ${e[name]}`).toBe(true);
    }
    // The API accepts this environment as an XML API configuration (all three files named).
    const config = loadConfig(e);
    expect(config.XML_API_PORT).toBe(Number(e.XML_API_PORT));
    // The PKI volume is still mounted beside it.
    expect(on.volumes?.some((v) => v.type === 'volume' && v.target === '/var/lib/esign')).toBe(true);
  });
});

describe('Temporal on PostgreSQL', () => {
  it('keeps history and visibility in PostgreSQL, its own server', () => {
    const temporal = service('temporal');
    expect(temporal.image).toMatch(/^temporalio\/server:/);
    expect(env(temporal, 'DB')).toMatch(/^postgres12(_pgx)?$/);
    const dbHost = env(temporal, 'POSTGRES_SEEDS');
    expect(dbHost).toBe('temporal-db');
    expect(service(dbHost).image).toMatch(/^postgres:/);
    expect(env(temporal, 'POSTGRES_PWD')).toBe(env(service(dbHost), 'POSTGRES_PASSWORD'));
    expect(env(temporal, 'DBNAME')).toBe('temporal');
    expect(env(temporal, 'VISIBILITY_DBNAME')).toBe('temporal_visibility');
  });

  it('starts the server only after the schema job completed successfully', () => {
    const temporal = service('temporal');
    expect(temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    const schema = service('temporal-schema');
    // The schema files come with the admin tools: they must be the server's version.
    expect(schema.image).toMatch(/^temporalio\/admin-tools:/);
    expect(imageTag(schema.image!).startsWith(`${imageTag(temporal.image!)}-`)).toBe(true);
    expect(schema.depends_on?.['temporal-db']?.condition).toBe('service_healthy');
    expect(env(schema, 'SQL_HOST')).toBe('temporal-db');
    expect(env(schema, 'SQL_PASSWORD')).toBe(env(service('temporal-db'), 'POSTGRES_PASSWORD'));
    // Both databases the server reads.
    expect(env(schema, 'TEMPORAL_DB')).toBe(env(temporal, 'DBNAME'));
    expect(env(schema, 'VISIBILITY_DB')).toBe(env(temporal, 'VISIBILITY_DBNAME'));
    expect(schema.entrypoint).toEqual(['/bin/sh', '/deploy/setup-schema.sh']);
    expect(mountedScript(schema, '/deploy/setup-schema.sh')).toBe(
      join(ROOT, 'deploy/temporal/setup-schema.sh'),
    );
  });

  it('registers the namespace and every search attribute the workflows set, before API and workers start', () => {
    const setup = service('temporal-setup');
    expect(setup.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(setup.entrypoint).toEqual(['/bin/sh', '/deploy/setup-namespace.sh']);
    expect(mountedScript(setup, '/deploy/setup-namespace.sh')).toBe(
      join(ROOT, 'deploy/temporal/setup-namespace.sh'),
    );
    expect(env(setup, 'TEMPORAL_ADDRESS')).toBe('temporal:7233');
    expect(env(setup, 'NAMESPACE')).toBe(env(service('api'), 'TEMPORAL_NAMESPACE'));
    const registered = env(setup, 'SEARCH_ATTRIBUTES').split(/\s+/).sort();
    expect(registered).toEqual(JOB_SEARCH_ATTRIBUTES.map((k) => `${k.name}=Keyword`).sort());
    expect(JOB_SEARCH_ATTRIBUTES.every((k) => k.type === 'KEYWORD')).toBe(true);
    for (const name of ['api', 'worker']) {
      expect(service(name).depends_on?.['temporal-setup']?.condition, name).toBe(
        'service_completed_successfully',
      );
    }
  });

  it("reads its dynamic config from deploy/, with partitions for the service's task queue", async () => {
    const temporal = service('temporal');
    // The server image resolves the path against its home, /etc/temporal.
    const target = join('/etc/temporal', env(temporal, 'DYNAMIC_CONFIG_FILE_PATH'));
    const mount = temporal.volumes?.find((v) => v.type === 'bind' && v.target === target);
    expect(mount?.source).toBe(join(ROOT, 'deploy/temporal/dynamicconfig.yaml'));
    const text = await readFile(mount!.source!, 'utf8');
    // The API acts on jobs through workflow updates.
    expect(text).toMatch(/^frontend\.enableUpdateWorkflowExecution:\n\s+- value: true$/m);
    const queue = env(service('worker'), 'TEMPORAL_TASK_QUEUE');
    for (const key of ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions']) {
      // The setting's block: from its key to the next top-level line.
      const block = text.split(/\n(?=\S)/).find((b) => b.startsWith(`${key}:`));
      expect(block, key).toMatch(new RegExp(`^\\s+taskQueueName: ${queue}$`, 'm'));
    }
  });

  it('has its Web UI, pointed at the server', () => {
    const ui = service('temporal-ui');
    expect(ui.image).toMatch(/^temporalio\/ui:/);
    expect(env(ui, 'TEMPORAL_ADDRESS')).toBe('temporal:7233');
  });
});

describe('every service', () => {
  it('has a health check and a restart policy when it runs for good', () => {
    const longRunning = Object.keys(theModel().services).filter((n) => !ONE_SHOTS.includes(n));
    expect(longRunning).toEqual(
      expect.arrayContaining([
        'app-db',
        'temporal-db',
        'temporal',
        'temporal-ui',
        'mail',
        'api',
        'worker',
        'proxy',
      ]),
    );
    for (const name of longRunning) {
      const s = service(name);
      expect(s.healthcheck?.disable, name).not.toBe(true);
      expect(s.healthcheck?.test?.[0], `${name} health check`).toMatch(/^CMD(-SHELL)?$/);
      expect(s.healthcheck?.test?.length, `${name} health check`).toBeGreaterThan(1);
      expect(s.restart ?? s.deploy?.restart_policy?.condition, `${name} restart`).toMatch(
        /^(always|unless-stopped|on-failure|any)$/,
      );
    }
  });

  it('runs the one-shots once: retried on failure, never restarted after success, waited for', () => {
    for (const name of ONE_SHOTS) {
      const s = service(name);
      expect(s.restart, name).toMatch(/^(no|on-failure(:\d+)?)$/);
      const waiting = Object.values(theModel().services).filter(
        (other) => other.depends_on?.[name]?.condition === 'service_completed_successfully',
      );
      expect(waiting.length, `services waiting for ${name}`).toBeGreaterThan(0);
    }
  });

  it('keeps both databases and the PKI in named volumes', () => {
    for (const name of ['app-db', 'temporal-db']) {
      const s = service(name);
      expect(s.image).toMatch(/^postgres:/);
      expect(healthText(s)).toMatch(/pg_isready/);
      const data = s.volumes?.find((v) => v.target === '/var/lib/postgresql/data');
      expect(data?.type, `${name} data`).toBe('volume');
      expect(theModel().volumes).toHaveProperty(data!.source!);
    }
    const sources = ['app-db', 'temporal-db'].map(
      (n) => service(n).volumes!.find((v) => v.target === '/var/lib/postgresql/data')!.source,
    );
    expect(new Set(sources).size).toBe(2);
  });

  it('binds only files and folders that exist in the repository', () => {
    const binds = Object.entries(theModel().services).flatMap(([name, s]) =>
      (s.volumes ?? []).filter((v) => v.type === 'bind').map((v) => ({ name, source: v.source! })),
    );
    expect(binds.length).toBeGreaterThan(0);
    // A missing source would be created as an empty directory by the engine, silently.
    for (const b of binds) {
      expect(b.source.startsWith(ROOT), `${b.name}: ${b.source}`).toBe(true);
      expect(existsSync(b.source), `${b.name}: ${b.source}`).toBe(true);
    }
  });

  it('uses pinned image versions', () => {
    for (const [name, s] of Object.entries(theModel().services)) {
      if (s.build) continue;
      const tag = imageTag(s.image ?? '');
      // At least major.minor, never a moving tag such as `latest` or a bare major.
      expect(tag, `${name}: ${s.image}`).toMatch(/^v?\d+\.\d+/);
    }
  });
});

describe('secrets', () => {
  it('come from the environment and reach every place that needs them', async () => {
    const m = await resolvedModel({
      APP_DB_PASSWORD: 'app-secret-1',
      TEMPORAL_DB_PASSWORD: 'temporal-secret-2',
      HTTP_PORT: '9443',
    });
    const s = m.services;
    expect(s['app-db']!.environment?.POSTGRES_PASSWORD).toBe('app-secret-1');
    for (const name of ['api', 'worker']) {
      expect(new URL(s[name]!.environment!.DATABASE_URL!).password, name).toBe('app-secret-1');
      expect(s[name]!.environment!.PUBLIC_URL, name).toBe('http://localhost:9443');
    }
    expect(s['temporal-db']!.environment?.POSTGRES_PASSWORD).toBe('temporal-secret-2');
    expect(s.temporal!.environment?.POSTGRES_PWD).toBe('temporal-secret-2');
    expect(s['temporal-schema']!.environment?.SQL_PASSWORD).toBe('temporal-secret-2');
    expect(s.proxy!.ports?.find((p) => p.target === 8080)?.published).toBe('9443');
  });

  it('default to values the file marks as for one-host trials only', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(text).toMatch(/only suitable for a trial on one host/);
    expect(new URL(env(service('api'), 'DATABASE_URL')).password).toMatch(/trial/);
    expect(env(service('temporal-db'), 'POSTGRES_PASSWORD')).toMatch(/trial/);
  });
});

describe('the image build context', () => {
  it('leaves out local installs, builds, data, tools and git', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', '.tools', '.data*', 'dist', 'test-artifacts', '.git']) {
      expect(lines, entry).toContain(entry);
    }
  });
});

/** The host file bound at `target` in a service (its scripts come from deploy/ by bind mount). */
function mountedScript(s: Service, target: string): string | undefined {
  for (const v of s.volumes ?? []) {
    if (v.type !== 'bind' || !v.source) continue;
    const dir = v.target.replace(/\/$/, '');
    if (target.startsWith(`${dir}/`)) {
      const file = join(v.source, target.slice(dir.length + 1));
      return existsSync(file) ? file : undefined;
    }
  }
  return undefined;
}

// --- the one-shot scripts, against stand-ins of the tools they call --------------------------------

let stubDir: string;
beforeAll(async () => {
  stubDir = await mkdtemp(join(tmpdir(), 'esign-ops-'));
});
afterAll(async () => {
  if (stubDir) await rm(stubDir, { recursive: true, force: true });
});

/** Writes executable stand-ins into a fresh bin folder; each logs its arguments as one line. */
async function stubs(tools: Record<string, string>): Promise<{ bin: string; log: string }> {
  const bin = await mkdtemp(join(stubDir, 'bin-'));
  const log = join(bin, 'calls.log');
  for (const [name, body] of Object.entries(tools)) {
    const file = join(bin, name);
    await writeFile(file, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
    await chmod(file, 0o755);
  }
  return { bin, log };
}

async function runScript(script: string, bin: string, vars: Record<string, string>): Promise<Run> {
  return run('sh', [join(ROOT, script)], { PATH: `${bin}:/usr/bin:/bin`, ...vars });
}

const calls = async (log: string) =>
  (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('deploy/temporal/setup-schema.sh', () => {
  const vars = {
    SQL_HOST: 'temporal-db',
    SQL_PORT: '5432',
    SQL_USER: 'temporal',
    SQL_PASSWORD: 'pw',
    TEMPORAL_DB: 'temporal',
    VISIBILITY_DB: 'temporal_visibility',
  };
  const sqlCalls = async (log: string) =>
    (await calls(log))
      .filter((l) => l.startsWith('temporal-sql-tool '))
      .map((l) =>
        l.replace('temporal-sql-tool --plugin postgres12 --ep temporal-db -p 5432 -u temporal ', ''),
      );

  it('creates both databases and their schemas on a fresh server', async () => {
    // psql answers nothing: no database, no schema_version table.
    const { bin, log } = await stubs({ pg_isready: 'exit 0', psql: 'exit 0', 'temporal-sql-tool': 'exit 0' });
    const r = await runScript('deploy/temporal/setup-schema.sh', bin, vars);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await sqlCalls(log)).toEqual([
      '--db temporal create',
      '--db temporal setup-schema -v 0.0',
      '--db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned',
      '--db temporal_visibility create',
      '--db temporal_visibility setup-schema -v 0.0',
      '--db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned',
    ]);
  });

  it('only updates the schemas when run again', async () => {
    const psql = `case "$*" in *pg_database*) echo 1 ;; *schema_version*) echo t ;; esac`;
    const { bin, log } = await stubs({ pg_isready: 'exit 0', psql, 'temporal-sql-tool': 'exit 0' });
    const r = await runScript('deploy/temporal/setup-schema.sh', bin, vars);
    expect(r.code).toBe(0);
    expect(await sqlCalls(log)).toEqual([
      '--db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned',
      '--db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned',
    ]);
  });

  it('says what to grant when its role may not create the missing databases', async () => {
    // No database yet, and the role is neither superuser nor CREATEDB.
    const psql = `case "$*" in *rolcreatedb*) echo f ;; esac`;
    const { bin, log } = await stubs({ pg_isready: 'exit 0', psql, 'temporal-sql-tool': 'exit 0' });
    const r = await runScript('deploy/temporal/setup-schema.sh', bin, vars);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ALTER ROLE temporal CREATEDB/);
    expect(await sqlCalls(log)).toEqual([]);
  });

  it('fails when a schema step fails, so the server does not start', async () => {
    const { bin } = await stubs({
      pg_isready: 'exit 0',
      psql: 'exit 0',
      'temporal-sql-tool': 'case "$*" in *update-schema*) exit 3 ;; esac',
    });
    const r = await runScript('deploy/temporal/setup-schema.sh', bin, vars);
    expect(r.code).not.toBe(0);
  });
});

describe('deploy/temporal/setup-namespace.sh', () => {
  const vars = {
    TEMPORAL_ADDRESS: 'temporal:7233',
    NAMESPACE: 'default',
    NAMESPACE_RETENTION: '720h',
    SEARCH_ATTRIBUTES: 'SenderOrganization=Keyword SignatureJobFlow=Keyword',
    SETUP_RETRY_SECONDS: '0',
  };
  const mutations = async (log: string) =>
    (await calls(log)).filter((l) => / create /.test(l)).map((l) => l.replace(/^temporal /, ''));

  it('creates a missing namespace and registers every search attribute', async () => {
    const temporal = `case "$*" in *"namespace describe"*) exit 1 ;; esac; exit 0`;
    const { bin, log } = await stubs({ temporal });
    const r = await runScript('deploy/temporal/setup-namespace.sh', bin, vars);
    expect(r.code).toBe(0);
    expect(await mutations(log)).toEqual([
      'operator namespace create --namespace default --retention 720h --address temporal:7233',
      'operator search-attribute create --namespace default --name SenderOrganization --type Keyword --address temporal:7233',
      'operator search-attribute create --namespace default --name SignatureJobFlow --type Keyword --address temporal:7233',
    ]);
  });

  it('ends only once a listing filtered by each new search attribute is accepted', async () => {
    // The server refuses the new attributes in queries for the first two listings (as a real one
    // does for a second or two after they were created).
    const temporal = `case "$*" in *"namespace describe"*) exit 1 ;;
      *"workflow list"*) n=$(grep -c "workflow list" "$(dirname "$0")/calls.log"); [ "$n" -gt 2 ] || exit 1 ;; esac; exit 0`;
    const { bin, log } = await stubs({ temporal });
    const r = await runScript('deploy/temporal/setup-namespace.sh', bin, vars);
    expect(r.code).toBe(0);
    const lines = await calls(log);
    const lists = lines.filter((l) => l.includes('workflow list'));
    expect(lists).toHaveLength(4);
    expect(lists.at(-1)).toContain("--query SignatureJobFlow = 'setup-probe'");
    // The listings come after the registrations.
    const lastCreate = lines.map((l) => / create /.test(l)).lastIndexOf(true);
    expect(lines.indexOf(lists[0]!)).toBeGreaterThan(lastCreate);
  });

  it('changes nothing when all is in place', async () => {
    const temporal = `case "$*" in *"search-attribute list"*) printf '  SenderOrganization  Keyword\\n  SignatureJobFlow  Keyword\\n' ;; esac; exit 0`;
    const { bin, log } = await stubs({ temporal });
    const r = await runScript('deploy/temporal/setup-namespace.sh', bin, vars);
    expect(r.code).toBe(0);
    expect(await mutations(log)).toEqual([]);
  });

  it('gives up with a failure while the server never becomes healthy', async () => {
    const { bin } = await stubs({ temporal: `case "$*" in *"cluster health"*) exit 1 ;; esac; exit 0` });
    const r = await runScript('deploy/temporal/setup-namespace.sh', bin, vars);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/gave up: cluster health/);
  });
});
