/** Database access: one Kysely instance over a pg pool, and the versioned migrations. */
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_api.js';
import * as m0003 from './migrations/0003_notifications.js';
import * as m0004 from './migrations/0004_signatures.js';
import * as m0005 from './migrations/0005_usage.js';
import * as m0006 from './migrations/0006_portal.js';
import * as m0007 from './migrations/0007_sender_notices.js';
import * as m0008 from './migrations/0008_document_store.js';
import * as m0009 from './migrations/0009_long_term_archives.js';
import * as m0010 from './migrations/0010_signer_language.js';
import * as m0011 from './migrations/0011_workflow_started.js';
import * as m0012 from './migrations/0012_job_read_model.js';
import * as m0013 from './migrations/0013_oidc_login.js';
import * as m0014 from './migrations/0014_xml_api.js';
import * as m0015 from './migrations/0015_kept_uploads.js';
import * as m0020 from './migrations/0020_pdfa_outcome.js';
import * as m0021 from './migrations/0021_link_code_channel.js';
import * as m0022 from './migrations/0022_job_outcome.js';
import * as m0028 from './migrations/0028_remote_signings.js';
import * as m0029 from './migrations/0029_document_pages.js';
import * as m0032 from './migrations/0032_fairness_weight.js';
import * as m0033 from './migrations/0033_retention_sweep.js';
import * as m0034 from './migrations/0034_sender_rate_limit.js';
import type { Database } from './types.js';

export type Db = Kysely<Database>;

// bigint (int8) columns such as bigserial ids come back as strings by default; keep them so
// (ids are opaque) but parse `count(*)` and the like where needed at the call site.

export function createDb(connectionString: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client that loses its server (PostgreSQL restarted) emits 'error' on the pool; without
  // a listener that would crash the process. The pool replaces the client on next use.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Migrations listed in code (not read from a folder) so the built output needs no file globbing. */
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_api': m0002,
  '0003_notifications': m0003,
  '0004_signatures': m0004,
  '0005_usage': m0005,
  '0006_portal': m0006,
  '0007_sender_notices': m0007,
  '0008_document_store': m0008,
  '0009_long_term_archives': m0009,
  '0010_signer_language': m0010,
  '0011_workflow_started': m0011,
  '0012_job_read_model': m0012,
  '0013_oidc_login': m0013,
  '0015_kept_uploads': m0015,
  '0014_xml_api': m0014,
  '0020_pdfa_outcome': m0020,
  '0021_link_code_channel': m0021,
  '0022_job_outcome': m0022,
  '0028_remote_signings': m0028,
  '0029_document_pages': m0029,
  '0032_fairness_weight': m0032,
  '0033_retention_sweep': m0033,
  '0034_sender_rate_limit': m0034,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Brings the schema up or down to the named migration (tests of a migration start before it). */
export async function migrateTo(db: Kysely<any>, migrationName: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(migrationName);
  if (error) {
    throw new Error(`database migration to ${migrationName} failed: ${(error as Error).message ?? error}`);
  }
}
