/**
 * Wiring shared by the entry points: the Temporal client, the database with its migrations, and
 * the development seed (a sender organisation with a known API key).
 */
import { readFile } from 'node:fs/promises';
import { Client, type ClientPlugin, Connection } from '@temporalio/client';
import { DEFAULT_RENEWAL_INTERVAL_YEARS } from './archive/rules.js';
import { loadPriceTable } from './billing/index.js';
import { type Config, ConfigError } from './config.js';
import { createDb, type Db, migrateToLatest } from './db/index.js';
import type { CscProviderConfig } from './eid/csc/client.js';
import { cscVariablePrefix } from './eid/csc/config.js';
import { createEidProvider, EidConfigError, type EidProvider, OidcSetupError } from './eid/index.js';
import { createSigningKeys, signingKeyKind } from './eid/signing-keys.js';
import { notificationAdaptersFromEnv } from './notifications/runtime.js';
import { createApiKey, hashApiKey } from './services/api-keys.js';
import { upsertOrganisation } from './services/organisations.js';
import { createSigningContext, signingOptions } from './signatures/context.js';
import { DEFAULT_SIGNING_POOL } from './signatures/signing-pool.js';
import { certificatesFromPem } from './signing/keys.js';
import { openDocumentStore } from './storage/index.js';

/** The Temporal client; `plugins`: the OpenTelemetry one when tracing is on (tracingFromConfig). */
export async function connectTemporal(
  address: string,
  namespace: string,
  plugins: ClientPlugin[] = [],
): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, ...(plugins.length > 0 ? { plugins } : {}) });
}

export async function openDatabase(url: string, poolSize?: number): Promise<Db> {
  const db = createDb(url, poolSize);
  await migrateToLatest(db);
  return db;
}

/** Seeds the development sender (idempotent): the organisation and its API key. */
export async function seedDevSender(db: Db, org: string, apiKey: string): Promise<void> {
  await upsertOrganisation(db, { orgNumber: org, name: 'Development Sender AS', sector: 'PUBLIC' });
  const existing = await db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', hashApiKey(apiKey))
    .executeTakeFirst();
  if (!existing) await createApiKey(db, org, 'development key', apiKey);
}

/**
 * The API's login (OpenID Connect, after discovery), or, for an entry point, a message naming the
 * variables and exit code 78 like any other configuration error.
 */
export async function createLoginOrExit(
  processName: string,
  env: Record<string, string | undefined> = process.env,
): Promise<EidProvider> {
  try {
    return await createEidProvider(env);
  } catch (err) {
    if (!(err instanceof EidConfigError || err instanceof OidcSetupError)) throw err;
    console.error(`${processName}: ${err.message}`);
    process.exit(78);
  }
}

/**
 * The remote signing services' CAs from their CSC_<NAME>_CA_FILE, as one PEM: a file that cannot
 * be read or holds no certificate stops start-up naming its variable.
 */
async function cscTrustAnchors(providers: CscProviderConfig[]): Promise<string> {
  const pems: string[] = [];
  for (const p of providers.filter((x) => x.caFile)) {
    const variable = `${cscVariablePrefix(p.name)}CA_FILE`;
    let pem: string;
    try {
      pem = await readFile(p.caFile!, 'utf8');
    } catch (err) {
      throw new ConfigError([`${variable}: cannot be read (${(err as Error).message})`]);
    }
    if (certificatesFromPem(pem).length === 0)
      throw new ConfigError([`${variable}: holds no PEM certificate`]);
    pems.push(pem.trim());
  }
  return pems.length > 0 ? `${pems.join('\n')}\n` : '';
}

/**
 * What the API and the worker build on besides the database and Temporal: the signing material,
 * people's signing keys, the notification adapters and the document store. One function, so `npm run dev`, the
 * production entry points, the tests and the benchmarks wire the service the same way (the API and
 * the worker must agree on the store: one writes the documents the other packages).
 */
export async function createServiceParts(
  db: Db,
  config: Pick<
    Config,
    'APP_ENV' | 'PUBLIC_URL' | 'PKI_DIR' | 'TSA_URL' | 'SMTP_URL' | 'DOCUMENT_STORE' | 'DOCUMENT_STORE_DIR'
  > &
    Partial<
      Pick<
        Config,
        | 'ARCHIVE_RENEWAL_YEARS'
        | 'ARCHIVE_ALGORITHM_SUNSET'
        | 'SIGNING_KEYS'
        | 'CSC_PROVIDERS'
        | 'SIGNING_THREADS'
      >
    >,
  env: Record<string, string | undefined> = process.env,
) {
  // The worker packages in threads (SIGNING_THREADS, 0: on the event loop); the API never packages,
  // and its pool, started on first use, stays empty.
  const signing = await createSigningContext(signingOptions(config), {
    threads: config.SIGNING_THREADS ?? DEFAULT_SIGNING_POOL.threads,
  });
  const signingKeys = createSigningKeys(signingKeyKind(config.APP_ENV, config.SIGNING_KEYS), {
    db,
    pki: signing.pki,
    ...(config.CSC_PROVIDERS ? { cscProviders: config.CSC_PROVIDERS } : {}),
    cscTrustAnchorsPem: await cscTrustAnchors(config.CSC_PROVIDERS ?? []),
  });
  const notifications = notificationAdaptersFromEnv(db, config.SMTP_URL, { ...env, APP_ENV: config.APP_ENV });
  // Prices of billable events: the domain's figures, or a partial override in øre (JSON).
  const prices = loadPriceTable(env.BILLING_PRICES);
  const storage = await openDocumentStore(db, config);
  // Long-term storage: how often archived PAdES get a new document time-stamp.
  const archivePolicy = {
    intervalYears: config.ARCHIVE_RENEWAL_YEARS ?? DEFAULT_RENEWAL_INTERVAL_YEARS,
    ...(config.ARCHIVE_ALGORITHM_SUNSET
      ? { algorithmSunset: new Date(config.ARCHIVE_ALGORITHM_SUNSET) }
      : {}),
  };
  return { signing, signingKeys, notifications, prices, storage, archivePolicy };
}
