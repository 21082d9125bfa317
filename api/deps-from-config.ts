/**
 * The API's dependencies as both entry points build them (`api/main.ts` in production, `npm run
 * dev`): the service parts, the login, and the limits read from the configuration.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/index.js';
import type { EidProvider } from '../src/eid/index.js';
import type { Logger } from '../src/log.js';
import type { createServiceParts } from '../src/runtime.js';
import type { ApiDeps } from './deps.js';
import { addressRateLimitFromConfig } from './http/address-rate-limit.js';
import { rateLimitFromConfig } from './http/rate-limit.js';

export function apiDepsFromConfig(input: {
  db: Db;
  temporal: Client;
  config: Config;
  log: Logger;
  eid: EidProvider;
  parts: Awaited<ReturnType<typeof createServiceParts>>;
  /** Development: where the SMTP sink keeps received e-mails (the dev outbox pages). */
  mailDir?: string;
}): ApiDeps {
  const { db, temporal, config, log, eid, parts } = input;
  return {
    db,
    temporal,
    config,
    log,
    signing: parts.signing,
    eid,
    signingKeys: parts.signingKeys,
    storage: parts.storage,
    ...(input.mailDir ? { mailDir: input.mailDir } : {}),
    allowPrivateCallbackTargets: parts.notifications.allowPrivateCallbackTargets,
    notifications: parts.notifications,
    prices: parts.prices,
    rateLimit: rateLimitFromConfig(config),
    addressRateLimit: addressRateLimitFromConfig(config),
  };
}
