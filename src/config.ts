/**
 * The service's configuration: read once from the environment and validated, so a bad or missing
 * value stops start-up with a message naming the variable instead of failing later at random.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const url = z.string().url();

const schema = z.object({
  APP_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  /** The absolute base URL people and sender systems reach the API at; links are built from it. */
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('signature-jobs'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** The service PKI (seal, time-stamping authority, test eID CA); created there on first start. */
  PKI_DIR: z.string().min(1).optional(),
  /** An outside RFC 3161 time-stamping authority; unset uses the built-in one. */
  TSA_URL: url.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema> & { PUBLIC_URL: string; PKI_DIR: string };

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
  return {
    ...c,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`,
    PKI_DIR: c.PKI_DIR ?? `${c.DATA_DIR}/pki`,
  };
}

/** Connection strings may carry passwords: never echo them back in an error. */
function redact(name: string, value: string): string {
  return /URL$/.test(name) ? value.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : value;
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
