import type { HttpBindings } from '@hono/node-server';
import type * as x509 from '@peculiar/x509';
import type { Client } from '@temporalio/client';
import type { PriceTable } from '../src/billing/index.js';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/index.js';
import type { EidProvider } from '../src/eid/index.js';
import type { SigningKeyProvider } from '../src/eid/signing-keys.js';
import type { Logger } from '../src/log.js';
import type { PrivateTargetPolicy } from '../src/notifications/callbacks/target-guard.js';
import type { NotificationAdapters } from '../src/notifications/config.js';
import type { Sender } from '../src/services/organisations.js';
import type { RateLimitOptions } from '../src/services/rate-limit.js';
import type { StatusQueueOptions } from '../src/services/status-queue.js';
import type { SigningContext } from '../src/signatures/context.js';
import type { DocumentStore } from '../src/storage/index.js';

/** The national service's XML API (api/xml-api/routes.ts) under `/xml-api`, over mutual TLS. */
export interface XmlApiOptions {
  /** The XML API's own root as clients reach it (their service URL), e.g. `https://host:3443/xml-api`. */
  publicUrl: string;
  /** Enterprise CAs a sender's seal must chain to (the same the TLS server trusts for clients). */
  trustAnchors: x509.X509Certificate[];
  /**
   * Where the status of a seal's certificates comes from: every certificate below the anchor must
   * be covered by a CRL of its issuer. Default: each CA's CRL from the certificate's distribution
   * point; development and tests: the development enterprise CA's own (`enterpriseCrls`).
   */
  revocation?: (certificates: x509.X509Certificate[]) => Promise<Uint8Array[]>;
}

/** A limit per client address (api/http/address-rate-limit.ts). */
export interface AddressRateLimit {
  /** Requests per second an address may keep up. */
  requestsPerSecond: number;
  /** Requests an address may make at once after a quiet spell (a page and its form posts). */
  burst: number;
}

/** What the HTTP layer needs; built once by the entry point (or a test) and passed in. */
export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'APP_ENV' | 'PUBLIC_URL' | 'TEMPORAL_TASK_QUEUE'> &
    Partial<
      Pick<
        Config,
        | 'TRUST_PROXY_HOPS'
        | 'VERIFY_WORKERS'
        | 'VERIFY_QUEUE_LIMIT'
        | 'VERIFY_TIMEOUT_MS'
        | 'VERIFY_MAX_HEAP_MB'
      >
    >;
  log: Logger;
  /** The service PKI and time-stamper: signer signatures, trust anchors, CRLs, the TSA, verification. */
  signing: SigningContext;
  /** The login people use (OpenID Connect: the national login service, or the local provider). */
  eid: EidProvider;
  /** People's own keys for advanced signatures (SIGNING_KEYS), apart from the login. */
  signingKeys: SigningKeyProvider;
  /** Where the bytes of documents and results are; the worker must be given the same store. */
  storage: DocumentStore;
  /** Callback targets allowed beside public addresses (redelivery on request); default 'none'. */
  allowPrivateCallbackTargets?: PrivateTargetPolicy;
  /**
   * The mail relay and SMS gateway the signer-link page sends one-time codes through (asked for
   * by the signer, so sent by the API at once, not by the worker); absent: no code can be sent.
   * The digital mailbox, when given, tells a signer before completion whether their copy will go
   * to a mailbox; absent, the pages say it goes there only if they have one.
   */
  notifications?: Pick<NotificationAdapters, 'mailer' | 'sms'> &
    Partial<Pick<NotificationAdapters, 'mailbox'>>;
  /** Prices of what the API sends (one-time code SMS); absent: not metered. */
  prices?: PriceTable;
  /** Development: where the SMTP sink keeps received e-mails (the dev outbox pages read them). */
  mailDir?: string;
  /**
   * Requests per second per organisation and the block after a breach; default 10/s and 30 s
   * (DEFAULT_RATE_LIMIT). `false` turns the limit off (benchmarks, tests of other things).
   */
  rateLimit?: Partial<RateLimitOptions> | false;
  /**
   * Requests per second per client address on the public endpoints and pages (api/address-rate-
   * limit.ts). Unset or `false`: none; the entry points set it from PUBLIC_RATE_LIMIT_*.
   */
  addressRateLimit?: AddressRateLimit | false;
  /** Invisibility of a taken change (default 10 min) and the delay after an empty poll (30 s). */
  statusQueue?: Partial<StatusQueueOptions>;
  /** The national service's XML API under `/xml-api` (mutual TLS only); absent: not served. */
  xmlApi?: XmlApiOptions;
}

/**
 * What the job use cases (src/services) take from the API's dependencies, built in one place for
 * every adapter (the JSON API, the XML API, the pages).
 */
export function jobServiceDeps(deps: ApiDeps) {
  return {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    storage: deps.storage,
    allowPrivateCallbackTargets: deps.allowPrivateCallbackTargets ?? ('none' as const),
  };
}

/**
 * Variables set on the request context by middleware. The bindings are there when the app is
 * served by @hono/node-server (absent under `app.request()` in tests): the TLS socket of mTLS.
 */
export type AppEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The authenticated sender's organisation number (the organisation in the path). */
    org: string;
    /**
     * The authenticated sender, read with its credentials so that its rate limit, sector and
     * standing orders cost a request no further query.
     */
    sender: Sender;
  };
};
