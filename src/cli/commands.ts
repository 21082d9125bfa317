/**
 * The admin CLI's commands, over an open database and an output sink (so tests run them in
 * process). Each returns the process exit code: 0 done, 1 refused, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { MAX_FAIRNESS_WEIGHT, MIN_FAIRNESS_WEIGHT, setFairnessWeight } from '../db/fairness-weights.js';
import type { Db } from '../db/index.js';
import { MAX_SENDER_RATE_LIMIT, setSenderRateLimit } from '../db/sender-rate-limits.js';
import { SECTORS, type Sector } from '../job/model.js';
import { isValidOrganisationNumber } from '../rules/identity.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys.js';
import { findOrganisation, upsertOrganisation } from '../services/organisations.js';
import { operationCommands } from './operations.js';
import { type XmlApiCliSettings, xmlApiCommands } from './xml-api.js';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = `usage: npm run cli -- <command>
  orgs add <orgNumber> --name <name> --sector PUBLIC|PRIVATE   register or update a sender
  api-keys create --org <orgNumber> [--label <label>]          make a key (shown once)
  api-keys list --org <orgNumber>                              list an organisation's keys
  api-keys revoke <id>                                         revoke a key
  orgs notices <orgNumber> --email <addr> [--locale no|en]     sender notices by e-mail (empty: none)
  orgs long-term-storage <orgNumber> on|off                     long-term storage for every new job
  orgs weight <orgNumber> <n>                                   the sender's share of the workers (1: equal)
  orgs rate-limit <orgNumber> <n>|default                       the sender's API requests per second (0: none)
  roles grant|revoke --pid <id> --org <orgNumber> --role SENDER|VIEWER   sender portal access
  roles list --org <orgNumber>
  callback-secrets create|list --org <orgNumber>               callback signing secrets (two active)
  callback-secrets revoke <id> --org <orgNumber>
  jobs show <jobId>                                            a job's recorded status and signers
  jobs audit <jobId>                                           a job's audit trail
  billing report [--quarter 2026Q4] [--org <n>] [--format csv|json]   quarterly usage and prices
  brokers authorise|revoke --org <orgNumber> --broker <orgNumber>   a broker may send for the sender (XML API)
  brokers list --org <orgNumber>
  enterprise-certificates issue --org <orgNumber> [--out file.p12] [--password p]   development
                                                               certificate for the XML API, with the client configuration`;

class UsageError extends Error {}

function parse(args: string[], options: Record<string, { type: 'string' }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function requireOrgNumber(value: string | undefined): string {
  if (!value || !isValidOrganisationNumber(value)) {
    throw new UsageError(
      `not a valid organisation number (9 digits with a check digit): ${value ?? '(none)'}`,
    );
  }
  return value;
}

async function orgsAdd(db: Db, args: string[], io: CliOutput): Promise<number> {
  const { values, positionals } = parse(args, { name: { type: 'string' }, sector: { type: 'string' } });
  const orgNumber = requireOrgNumber(positionals[0]);
  if (!values.name?.trim()) throw new UsageError('--name is required');
  const sector = values.sector?.toUpperCase();
  if (!SECTORS.includes(sector as Sector)) throw new UsageError('--sector must be PUBLIC or PRIVATE');
  await upsertOrganisation(db, { orgNumber, name: values.name.trim(), sector: sector as Sector });
  io.out(`organisation ${orgNumber} (${values.name.trim()}, ${sector}) registered`);
  return 0;
}

/** The sender's fairness weight (docs/scaling.md): applies to jobs started from now on. */
async function orgsWeight(db: Db, args: string[], io: CliOutput): Promise<number> {
  const { positionals } = parse(args, {});
  const orgNumber = requireOrgNumber(positionals[0]);
  const text = positionals[1];
  const weight = Number(text);
  if (!text || !Number.isFinite(weight) || weight < MIN_FAIRNESS_WEIGHT || weight > MAX_FAIRNESS_WEIGHT) {
    throw new UsageError(
      `the weight must be a number from ${MIN_FAIRNESS_WEIGHT} to ${MAX_FAIRNESS_WEIGHT}: ${text ?? '(none)'}`,
    );
  }
  if (!(await setFairnessWeight(db, orgNumber, weight))) {
    io.err(`no organisation ${orgNumber}`);
    return 1;
  }
  io.out(
    `jobs of ${orgNumber} started from now on get weight ${weight} (running jobs keep the weight they started with)`,
  );
  return 0;
}

/**
 * The sender's own API rate limit (docs/operations.md#admin-cli): whole requests per second, 0
 * for none, `default` for the configured RATE_LIMIT_PER_SECOND again. Every API process applies
 * it from the sender's next request.
 */
async function orgsRateLimit(db: Db, args: string[], io: CliOutput): Promise<number> {
  const { positionals } = parse(args, {});
  const orgNumber = requireOrgNumber(positionals[0]);
  const text = positionals[1] ?? '';
  const isCount = /^[0-9]+$/.test(text) && Number(text) <= MAX_SENDER_RATE_LIMIT;
  if (text !== 'default' && !isCount) {
    throw new UsageError(
      `the rate limit must be a whole number of requests per second from 0 (no limit) to ${MAX_SENDER_RATE_LIMIT}, or default: ${positionals[1] ?? '(none)'}`,
    );
  }
  const perSecond = text === 'default' ? null : Number(text);
  if (!(await setSenderRateLimit(db, orgNumber, perSecond))) {
    io.err(`no organisation ${orgNumber}`);
    return 1;
  }
  // A block under way is kept in PostgreSQL and by each API process until it ends (see
  // api/http/rate-limit.ts); only "no limit" skips the count, and with it the block.
  const runningBlock = 'from its next request (a block under way runs to its end)';
  io.out(
    perSecond === null
      ? `${orgNumber} has the configured API rate limit (RATE_LIMIT_PER_SECOND) ${runningBlock}`
      : perSecond === 0
        ? `${orgNumber} has no API rate limit from its next request`
        : `${orgNumber} may make ${perSecond} API requests per second ${runningBlock}`,
  );
  return 0;
}

async function apiKeysCreate(db: Db, args: string[], io: CliOutput): Promise<number> {
  const { values } = parse(args, { org: { type: 'string' }, label: { type: 'string' } });
  const org = requireOrgNumber(values.org);
  if (!(await findOrganisation(db, org))) {
    io.err(`organisation ${org} is not registered; run: orgs add ${org} --name ... --sector ...`);
    return 1;
  }
  const { id, key } = await createApiKey(db, org, values.label ?? '');
  io.out(`id:  ${id}`);
  io.out(`key: ${key}`);
  io.out('Store the key now: it is not kept and cannot be shown again.');
  return 0;
}

async function apiKeysList(db: Db, args: string[], io: CliOutput): Promise<number> {
  const { values } = parse(args, { org: { type: 'string' } });
  const keys = await listApiKeys(db, requireOrgNumber(values.org));
  if (keys.length === 0) io.out('no keys');
  for (const k of keys) {
    const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
    io.out(`${k.id}  ${k.createdAt.toISOString()}  ${state}  ${k.label}`);
  }
  return 0;
}

async function apiKeysRevoke(db: Db, args: string[], io: CliOutput): Promise<number> {
  const { positionals } = parse(args, {});
  const id = positionals[0];
  if (!id) throw new UsageError('the id of the key to revoke is required');
  if (!(await revokeApiKey(db, id))) {
    io.err(`no active key with id ${id}`);
    return 1;
  }
  io.out(`key ${id} revoked`);
  return 0;
}

/** The XML API's development settings: from the environment, as `npm run dev` uses them. */
function xmlApiSettings(): XmlApiCliSettings {
  const dataDir = process.env.DATA_DIR || '.data';
  return {
    pkiDir: process.env.PKI_DIR || `${dataDir}/pki`,
    xmlApiUrl: process.env.XML_API_URL || `https://localhost:${process.env.XML_API_PORT || '3443'}/xml-api`,
  };
}

const COMMANDS: Record<string, (db: Db, args: string[], io: CliOutput) => Promise<number>> = {
  'orgs add': orgsAdd,
  'orgs weight': orgsWeight,
  'orgs rate-limit': orgsRateLimit,
  'api-keys create': apiKeysCreate,
  'api-keys list': apiKeysList,
  'api-keys revoke': apiKeysRevoke,
  ...operationCommands(parse, requireOrgNumber, (m) => new UsageError(m)),
  ...xmlApiCommands(parse, requireOrgNumber, xmlApiSettings),
};

export async function runCli(argv: string[], db: Db, io: CliOutput): Promise<number> {
  const command = COMMANDS[`${argv[0]} ${argv[1]}`];
  if (!command) {
    io.err(USAGE);
    return 2;
  }
  try {
    return await command(db, argv.slice(2), io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${USAGE}`);
    return 2;
  }
}
