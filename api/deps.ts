import type { Client } from '@temporalio/client';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/index.js';
import type { Logger } from '../src/log.js';

/** What the HTTP layer needs; built once by the entry point (or a test) and passed in. */
export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'APP_ENV' | 'PUBLIC_URL' | 'TEMPORAL_TASK_QUEUE'>;
  log: Logger;
}

/** Variables set on the request context by middleware. */
export type AppEnv = { Variables: { org: string } };
