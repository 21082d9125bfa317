/**
 * The service's configuration: read once from the environment and validated, so a bad or missing
 * value stops start-up with a message naming the variable instead of failing later at random.
 */
import { z } from 'zod';
import type { CscProviderConfig } from './eid/csc/client.js';
import { cscProvidersFromEnv } from './eid/csc/config.js';

const port = z.coerce.number().int().min(1).max(65535);
/** A port where 0 means "off" (an optional listener). */
const optionalPort = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();

/** Jobs a worker caches unless WORKER_MAX_CACHED_WORKFLOWS says otherwise; the benchmarks start from it. */
export const WORKER_CACHED_WORKFLOWS_DEFAULT = 200;

/**
 * The API's HTTP limits by default (also what api/http/server.ts applies when given none): 5 s for
 * headers, 60 s for a whole request (34 MB at under 5 Mbit/s), 5 s idle keep-alive between
 * requests, 120 s without a byte either way during one (a client that stops reading its answer),
 * 1,024 connections, 64 from one address (a browser opens 6 to 10; the cap is what keeps one
 * client that opens a thousand from locking everyone out), and bodies cut off with 408 when they
 * average under 1 KB a second after their first 5 s (a byte a second no longer holds a connection
 * for a minute).
 */
export const HTTP_LIMIT_DEFAULTS = {
  HTTP_HEADERS_TIMEOUT_MS: 5_000,
  HTTP_REQUEST_TIMEOUT_MS: 60_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
  HTTP_IDLE_TIMEOUT_MS: 120_000,
  HTTP_MAX_CONNECTIONS: 1024,
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: 64,
  HTTP_BODY_MIN_BYTES_PER_SECOND: 1024,
  HTTP_BODY_RATE_GRACE_MS: 5_000,
};

const schema = z.object({
  APP_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  /** The absolute base URL people and sender systems reach the API at; links are built from it. */
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * The sender API's limit per organisation, shared by every API process through PostgreSQL:
   * requests per second, then refused for the block time. 0 turns the limit off (load tests).
   */
  RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).default(10),
  RATE_LIMIT_BLOCK_SECONDS: z.coerce.number().int().min(1).default(30),
  /** Reverse proxies in front of the API (X-Forwarded-For entries to trust from the right). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  /**
   * Requests per second per client address on the public endpoints and pages (/tsa, /api/verify,
   * /pki, signing, portal and login pages), with bursts up to PUBLIC_RATE_LIMIT_BURST; 0: off.
   */
  PUBLIC_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).default(20),
  PUBLIC_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(40),
  /**
   * The API's HTTP server: time for a client to send its headers, and its whole request; idle
   * time of a kept-alive connection, and of a connection in the middle of a request; connections
   * open at once (more are closed as they come).
   */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(HTTP_LIMIT_DEFAULTS.HTTP_HEADERS_TIMEOUT_MS),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(HTTP_LIMIT_DEFAULTS.HTTP_REQUEST_TIMEOUT_MS),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(HTTP_LIMIT_DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS),
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(HTTP_LIMIT_DEFAULTS.HTTP_IDLE_TIMEOUT_MS),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(HTTP_LIMIT_DEFAULTS.HTTP_MAX_CONNECTIONS),
  /**
   * Connections open at once from one client address (the socket's peer); 0: no cap. Unset: 64,
   * or 0 when TRUST_PROXY_HOPS is set, since every connection then comes from the proxy, which
   * caps each client itself (deploy/nginx/nginx.conf, src/dev/api-proxy.ts).
   */
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).optional(),
  /** A request body must average this many bytes a second once past the grace time (0: off), else 408. */
  HTTP_BODY_MIN_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .min(0)
    .default(HTTP_LIMIT_DEFAULTS.HTTP_BODY_MIN_BYTES_PER_SECOND),
  HTTP_BODY_RATE_GRACE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(HTTP_LIMIT_DEFAULTS.HTTP_BODY_RATE_GRACE_MS),
  /**
   * `POST /api/verify` runs in worker threads: how many, requests admitted beyond them before 429,
   * time and V8 heap one verification may take before it is cut off (422). Unset: the defaults of
   * api/json/verify-pool.ts (one thread per core but one, 4, 20 s, 256 MB).
   */
  VERIFY_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  VERIFY_QUEUE_LIMIT: z.coerce.number().int().min(0).optional(),
  VERIFY_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  VERIFY_MAX_HEAP_MB: z.coerce.number().int().min(32).optional(),
  /**
   * Threads of the worker that package jobs and renew archive time-stamps off its event loop
   * (src/signatures/signing-pool.ts). Unset: one per core, at most 4; 0: on the event loop.
   */
  SIGNING_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /**
   * Worker slots: tasks a worker takes from the server at once. Unset: sized to the cores
   * (worker/worker.ts), so a busy worker leaves the backlog at the server, where fairness and
   * priority order it; see docs/scaling.md.
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).optional(),
  /**
   * How long a job's next workflow task waits for the worker that holds the job in its cache
   * before any worker may take it from the shared queue (where fairness applies) and replay it.
   */
  WORKER_STICKY_TIMEOUT_MS: z.coerce.number().int().min(500).max(60000).default(2000),
  /**
   * `prebuilt`: the worker runs the workflow bundle `npm run build` made, when it is current and
   * tracing is off (worker/workflow-bundle.ts); `at-start`: it bundles the workflows itself.
   */
  WORKFLOW_BUNDLE: z.enum(['prebuilt', 'at-start']).default('prebuilt'),
  /**
   * Jobs kept in the worker's memory between their steps. The SDK's default grows with the heap
   * (about 2,300 on a 4 GB heap) at roughly half a megabyte each; jobs wait days for people, so
   * a cached job rarely saves a replay. 200 is what the cluster's benchmarks ran with: with
   * 100,000 jobs open a worker held 424 MB (100: 388 MB; docs/scaling.md).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(0)
    .max(100000)
    .default(WORKER_CACHED_WORKFLOWS_DEFAULT),
  /** Long-term storage: years between renewals of an archived PAdES's document time-stamp. */
  ARCHIVE_RENEWAL_YEARS: z.coerce.number().int().min(1).max(10).default(3),
  /**
   * When today's algorithms (SHA-256, ECDSA P-256) are expected to be declared weak (RFC 3339),
   * set when guidance changes: archives are then renewed 90 days before, whatever the interval.
   */
  ARCHIVE_ALGORITHM_SUNSET: z.string().datetime({ offset: true }).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('signature-jobs'),
  /**
   * Jobs start with their sender as fairness key and its weight (src/services/fairness.ts, read
   * there from the environment); `off` starts them without, to compare (docs/scaling.md).
   */
  TASK_FAIRNESS: z.enum(['on', 'off']).default('on'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** The service PKI (seal, time-stamping authority, test eID CA); created there on first start. */
  PKI_DIR: z.string().min(1).optional(),
  /**
   * People's own keys for advanced signatures, apart from the login (src/eid/signing-keys.ts):
   * `test` (the default outside production, refused in production), `none` (the default in
   * production), or `csc`: remote signing services over the CSC API v2, configured by
   * CSC_PROVIDERS (src/eid/csc/config.ts).
   */
  SIGNING_KEYS: z.enum(['test', 'none', 'csc']).optional(),
  /** An outside RFC 3161 time-stamping authority; unset uses the built-in one. */
  TSA_URL: url.optional(),
  /** Where the bytes of documents and results are kept: the `blobs` table, or files (src/storage). */
  DOCUMENT_STORE: z.enum(['postgres', 'filesystem']).default('postgres'),
  /** The filesystem store's directory (default DATA_DIR/documents); only with DOCUMENT_STORE=filesystem. */
  DOCUMENT_STORE_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * The worker's own HTTP server (GET /metrics, GET /healthz) on HOST; 0 turns it off, and with
   * it the Temporal SDK's metrics. The API serves /metrics on its own PORT.
   */
  METRICS_PORT: optionalPort.default(9464),
  /**
   * API only: the national service's XML API over mutual TLS on its own port (0: off). Needs the
   * server certificate (carrying the service's organisation number) and key, and the enterprise
   * CAs that sender certificates and seals must chain to, as PEM files: required in production;
   * outside production, without them, the development enterprise PKI serves. Checked where the
   * XML API is started (api/xml-api-listener.ts), so the worker and the CLI never demand them.
   */
  XML_API_PORT: optionalPort.default(0),
  XML_API_PUBLIC_URL: url.optional(),
  XML_API_TLS_CERT_FILE: z.string().min(1).optional(),
  XML_API_TLS_KEY_FILE: z.string().min(1).optional(),
  XML_API_CLIENT_CA_FILE: z.string().min(1).optional(),
  /**
   * Loopback port of the Temporal SDK core's Prometheus exporter in the worker, read by the
   * worker's /metrics on every scrape (never scraped directly); 0: no SDK metrics.
   */
  TEMPORAL_METRICS_PORT: optionalPort.default(9465),
  /**
   * OpenTelemetry tracing, off unless an OTLP endpoint is set (the OpenTelemetry SDK's variable
   * names): the base URL (`/v1/traces` is appended) or the traces URL as it is.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.regex(/^https?:\/\//, 'must be an http(s):// URL (OTLP/HTTP)').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url
    .regex(/^https?:\/\//, 'must be an http(s):// URL (OTLP/HTTP)')
    .optional(),
  /** 'true' turns tracing off even with an endpoint set (the OpenTelemetry convention). */
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
});

export type Config = z.infer<typeof schema> & {
  /** The remote signing services when SIGNING_KEYS=csc, else empty. */
  CSC_PROVIDERS: CscProviderConfig[];
  PUBLIC_URL: string;
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: number;
  PKI_DIR: string;
  DOCUMENT_STORE_DIR: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates `env` (default `process.env`); throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset: `PORT= npm run api` should mean the default, not an error.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '');
        const value = cleaned[name];
        const shown = value === undefined ? 'missing' : `got ${JSON.stringify(redact(name, value))}`;
        return `${name}: ${i.message} (${shown})`;
      }),
    );
  }
  const c = parsed.data;
  // A directory given while the bytes go to PostgreSQL means the operator expects files where
  // none will be written: refuse rather than let them find out at the first backup or restore.
  if (c.DOCUMENT_STORE_DIR && c.DOCUMENT_STORE !== 'filesystem') {
    throw new ConfigError([
      `DOCUMENT_STORE_DIR: is only used with DOCUMENT_STORE=filesystem (DOCUMENT_STORE is ${c.DOCUMENT_STORE})`,
    ]);
  }
  // The test keys come from the service's own test CA: anyone's "advanced signature" could be made
  // by the service itself. Never in production, where a remote signing service holds the keys.
  if (c.APP_ENV === 'production' && c.SIGNING_KEYS === 'test') {
    throw new ConfigError([
      'SIGNING_KEYS: test keys are for development and tests; in production use csc (a remote signing service) or none (got "test")',
    ]);
  }
  const csc = c.SIGNING_KEYS === 'csc' ? cscProvidersFromEnv(cleaned) : { providers: [], problems: [] };
  if (csc.problems.length > 0) throw new ConfigError(csc.problems);
  return {
    ...c,
    CSC_PROVIDERS: csc.providers,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`,
    HTTP_MAX_CONNECTIONS_PER_ADDRESS:
      c.HTTP_MAX_CONNECTIONS_PER_ADDRESS ??
      (c.TRUST_PROXY_HOPS > 0 ? 0 : HTTP_LIMIT_DEFAULTS.HTTP_MAX_CONNECTIONS_PER_ADDRESS),
    PKI_DIR: c.PKI_DIR ?? `${c.DATA_DIR}/pki`,
    DOCUMENT_STORE_DIR: c.DOCUMENT_STORE_DIR ?? `${c.DATA_DIR}/documents`,
  };
}

/** Connection strings may carry passwords: never echo them back in an error. */
function redact(name: string, value: string): string {
  return /(URL|ENDPOINT)$/.test(name) ? value.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : value;
}

/**
 * Where the OTLP/HTTP exporter sends spans, or undefined when tracing is off (the default): the
 * traces endpoint as given, else the general endpoint with the traces path appended, as the
 * OpenTelemetry SDKs read these variables.
 */
export function otlpTracesUrl(
  c: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SDK_DISABLED'>,
): string | undefined {
  if (c.OTEL_SDK_DISABLED === 'true') return undefined;
  if (c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (c.OTEL_EXPORTER_OTLP_ENDPOINT) return `${c.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** For entry points: the configuration, or a clear message naming the variables and exit code 78. */
export function loadConfigOrExit(processName: string): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${processName}: ${err.message}`);
    // EX_CONFIG: the supervisor (compose, systemd) sees a configuration error, not a crash.
    process.exit(78);
  }
}
