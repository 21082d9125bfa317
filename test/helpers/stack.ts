/**
 * The real stack for API tests: the Temporal dev server (real, not time-skipping), a fresh
 * PostgreSQL database, a worker and the HTTP API on a free port, as `npm run dev` wires them.
 */

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import { httpLimitsFromConfig, listen, type TlsOptions } from '../../api/http/server.js';
import type { XmlApiOptions } from '../../api/xml-api/routes.js';
import { loadConfig } from '../../src/config.js';
import {
  LOCAL_CSC_CLIENT,
  type LocalCscProvider,
  localCscClientFor,
  startLocalCscProvider,
} from '../../src/dev/csc-provider.js';
import {
  type LocalOidcProvider,
  localClientFor,
  localProviderEnv,
  startLocalOidcProvider,
} from '../../src/dev/oidc-provider.js';
import { createEidProvider } from '../../src/eid/index.js';
import { createSigningKeys } from '../../src/eid/signing-keys.js';
import type { ConnectionCounts } from '../../src/http/connection-caps.js';
import { createLogger } from '../../src/log.js';
import { seedDevSender } from '../../src/runtime.js';
import { createApiKey } from '../../src/services/api-keys.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { createSigningContext, type SigningContext } from '../../src/signatures/context.js';
import { type DocumentStore, openDocumentStore } from '../../src/storage/index.js';
import { createSignatureWorker } from '../../worker/worker.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { startTestNotifications } from './notifications.js';
import { ORG, OTHER_ORG, PRIVATE_ORG } from './organisations.js';
import { reservePort } from './ports.js';
import { devServerEnv, workflowBundle } from './temporal.js';

export { ORG, OTHER_ORG, PRIVATE_ORG } from './organisations.js';

export interface StackOptions {
  /** Sender API limits; the rate limit is off unless given (tests make many requests quickly). */
  api?: Pick<ApiDeps, 'rateLimit' | 'statusQueue'>;
  /** Serve over HTTPS (mutual TLS tests). */
  tls?: TlsOptions;
  /** DOCUMENT_STORE for the API and the worker (a fresh directory when 'filesystem'); default postgres. */
  documentStore?: 'postgres' | 'filesystem';
  /** Serve the XML API under `/xml-api`, trusting these enterprise CAs for seals (use with tls). */
  xmlApi?: Omit<XmlApiOptions, 'publicUrl'>;
  /** More of the API's configuration, as environment variables (VERIFY_WORKERS, HTTP_*...). */
  env?: Record<string, string>;
  /** SIGNING_KEYS=csc: a local CSC v2 provider of each name (e.g. BankID, Buypass) instead of the test keys. */
  cscProviders?: string[];
}

export interface Stack {
  baseUrl: string;
  signing: SigningContext;
  /** The document store the API and the worker share, as the configuration chose it. */
  storage: DocumentStore;
  /** The filesystem store's directory (only with `documentStore: 'filesystem'`). */
  documentStoreDir?: string;
  /** The SMTP sink and development gateways the worker sends notices through. */
  notices: Awaited<ReturnType<typeof startTestNotifications>>;
  /** The local OpenID Connect provider people log in through (its own pages, a port of its own). */
  oidc: LocalOidcProvider;
  /** The local remote signing services (with `cscProviders`), by name. */
  csc: Map<string, LocalCscProvider>;
  /** What the API was built from: a test can start a second API process on the same database. */
  apiDeps: ApiDeps;
  env: TestWorkflowEnvironment;
  t: TestDatabase;
  apiKey: string;
  otherApiKey: string;
  privateApiKey: string;
  taskQueue: string;
  /** The API listener's open connections, by address (api/http/server.ts). */
  connections: ConnectionCounts;
  /** fetch against the API with the sender's key (override headers to change it). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the worker (reads must still answer: PostgreSQL is the read model); stop() copes. */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  // What the start started, newest last: stop() stops it all, and so does a failed start here,
  // since a test file whose stack fails to start gets no stop() and its Temporal dev server
  // would outlive the test run.
  const started: (() => Promise<unknown>)[] = [];
  try {
    return await startStackParts(options, started);
  } catch (err) {
    for (const stop of started.splice(0).reverse()) await stop().catch(() => {});
    throw err;
  }
}

async function startStackParts(options: StackOptions, started: (() => Promise<unknown>)[]): Promise<Stack> {
  // The port is held from here until the API listens: the Temporal dev server, the providers and
  // other test files bind ports meanwhile, and one of them once took a port only looked up here.
  const stoppedOnFailure = <T>(part: Promise<T>, stop: (value: T) => Promise<unknown>) =>
    part.then((value) => {
      started.push(() => stop(value));
      return value;
    });
  const parts = [
    stoppedOnFailure(devServerEnv(), (env) => env.teardown()),
    stoppedOnFailure(createTestDatabase(), (t) => t.db.destroy()),
    stoppedOnFailure(reservePort(), (reserved) => reserved.release()),
  ] as const;
  // All three settle, each started one registering its stop, before a failure is thrown.
  await Promise.allSettled(parts);
  const [env, t, reserved] = await Promise.all(parts);
  const port = reserved.port;
  const taskQueue = `api-${randomUUID()}`;
  const documentStoreDir =
    options.documentStore === 'filesystem' ? await mkdtemp(join(tmpdir(), 'esign-documents-')) : undefined;
  if (documentStoreDir) started.push(() => rm(documentStoreDir, { recursive: true, force: true }));
  const config = loadConfig({
    APP_ENV: 'test',
    PORT: String(port),
    ...(options.tls ? { PUBLIC_URL: `https://127.0.0.1:${port}` } : {}),
    DATABASE_URL: t.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'silent',
    ...(documentStoreDir ? { DOCUMENT_STORE: 'filesystem', DOCUMENT_STORE_DIR: documentStoreDir } : {}),
    ...options.env,
  });
  const storage = await openDocumentStore(t.db, config);
  const apiKey = `key-${randomUUID()}`;
  await seedDevSender(t.db, ORG, apiKey);
  await upsertOrganisation(t.db, { orgNumber: OTHER_ORG, name: 'Other Sender AS', sector: 'PUBLIC' });
  const { key: otherApiKey } = await createApiKey(t.db, OTHER_ORG, 'test');
  await upsertOrganisation(t.db, { orgNumber: PRIVATE_ORG, name: 'Private Sender AS', sector: 'PRIVATE' });
  const { key: privateApiKey } = await createApiKey(t.db, PRIVATE_ORG, 'test');

  // Real signing (a fresh PKI for this stack) and real notices (an SMTP sink of its own).
  const pkiDir = await mkdtemp(join(tmpdir(), 'esign-pki-'));
  started.push(() => rm(pkiDir, { recursive: true, force: true }));
  const signing = await createSigningContext({ pkiDir, publicUrl: config.PUBLIC_URL });
  const notices = await startTestNotifications(t.db);
  started.push(() => notices.stop());
  const worker: Worker = await createSignatureWorker({
    connection: env.nativeConnection,
    taskQueue,
    deps: { db: t.db, signing, storage, notifications: notices.adapters, publicUrl: config.PUBLIC_URL },
    workflowBundle: workflowBundle(),
  });
  const running = worker.run();
  const stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  started.push(stopWorker);
  const log = createLogger('silent', 'test');
  const oidc = await startLocalOidcProvider({ port: 0, clients: [localClientFor(config.PUBLIC_URL)] });
  started.push(() => oidc.close());
  const eid = await createEidProvider(localProviderEnv(oidc.issuer));
  const csc = new Map<string, LocalCscProvider>();
  for (const providerName of options.cscProviders ?? []) {
    const clients = [localCscClientFor(config.PUBLIC_URL)];
    const provider = await startLocalCscProvider({ port: 0, providerName, clients });
    started.push(() => provider.close());
    csc.set(providerName, provider);
  }
  const signingKeys =
    csc.size > 0
      ? createSigningKeys('csc', {
          db: t.db,
          pki: signing.pki,
          cscProviders: [...csc.values()].map((p) => ({
            name: p.providerName,
            baseUrl: p.baseUrl,
            clientId: LOCAL_CSC_CLIENT.clientId,
            clientSecret: LOCAL_CSC_CLIENT.clientSecret,
          })),
          cscOptions: { timeoutMs: 2000 },
          cscTrustAnchorsPem: [...csc.values()].map((p) => p.caCertificate.toString('pem')).join('\n'),
        })
      : createSigningKeys('test', { db: t.db, pki: signing.pki });
  const apiDeps: ApiDeps = {
    db: t.db,
    temporal: env.client,
    config,
    log,
    signing,
    eid,
    signingKeys,
    storage,
    mailDir: notices.mailDir,
    notifications: notices.adapters,
    allowPrivateCallbackTargets: 'loopback',
    rateLimit: false,
    ...options.api,
    ...(options.xmlApi ? { xmlApi: { publicUrl: `${config.PUBLIC_URL}/xml-api`, ...options.xmlApi } } : {}),
  };
  const app = createApp(apiDeps);
  await reserved.release();
  const http = await listen(app, '127.0.0.1', port, options.tls, httpLimitsFromConfig(config));
  const baseUrl = config.PUBLIC_URL;

  return {
    baseUrl,
    apiDeps,
    signing,
    storage,
    ...(documentStoreDir ? { documentStoreDir } : {}),
    notices,
    oidc,
    csc,
    env,
    t,
    apiKey,
    otherApiKey,
    privateApiKey,
    taskQueue,
    connections: http.connections,
    api: (path, init = {}) =>
      fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiKey}`, ...(init.headers as Record<string, string>) },
      }),
    stopWorker,
    // Everything the start recorded, newest first: the same list a failed start stops.
    stop: async () => {
      await http.close();
      for (const stop of started.splice(0).reverse()) await stop();
    },
  };
}
