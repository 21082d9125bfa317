/**
 * The price table: what one unit of each billable event costs, in integer øre (NOK minor units,
 * excluding VAT). Integers throughout, so a quarter's totals add up exactly; NOK with decimals is
 * only ever produced for display (see money.ts).
 *
 * The defaults are the national service's published prices (docs/domain.md, "Usage and prices", and the Norwegian
 * service description in the seeds). The published totals are sums of these elements:
 *
 *   Authenticated signature, portal flow       1.72 NOK = 172 øre
 *     signing / validation              70
 *     authenticated signature add-on    44   ("Tillegg for autentisert signering")
 *     ID-porten authentication at signing  29   ("Signering ved autentisering i ID-porten")
 *     signing-portal login              29   ("Innlogging signeringsportalen")
 *
 *   Advanced signature (BankID or Buypass), portal flow   1.99 NOK = 199 øre
 *     signing / validation              70
 *     advanced signature add-on        100   (the signer's own PKI key; same price for both)
 *     signing-portal login              29
 *
 * In the direct flow the signer is already logged in at the sender's site and never enters the
 * signing portal, so the portal login is not charged there: 143 øre authenticated, 170 advanced
 * (see signingUsageEvents in events.ts).
 *
 * Long-term storage has no published price. The default (100 øre per job per storage year begun)
 * is this service's own assumption, and is the figure an operator is expected to override.
 */
import { z } from 'zod';

export const CURRENCY = 'NOK';

/** Every kind of billable event. The order is the order of lines in a report. */
export const BILLABLE_KINDS = [
  'SIGNING',
  'AUTHENTICATED_SIGNATURE',
  'IDPORTEN_AUTHENTICATION',
  'ADVANCED_SIGNATURE',
  'PORTAL_LOGIN',
  'SMS_NOTICE',
  'EMAIL_NOTICE',
  'LONG_TERM_STORAGE_YEAR',
  'INTEGRATION',
  'PORTAL_AUTHORISATION',
] as const;

export type BillableKind = (typeof BILLABLE_KINDS)[number];

/** Unit price per kind, integer øre excluding VAT. */
export type PriceTable = Readonly<Record<BillableKind, number>>;

export const DEFAULT_PRICES: PriceTable = Object.freeze({
  SIGNING: 70,
  AUTHENTICATED_SIGNATURE: 44,
  IDPORTEN_AUTHENTICATION: 29,
  ADVANCED_SIGNATURE: 100,
  PORTAL_LOGIN: 29,
  SMS_NOTICE: 40,
  EMAIL_NOTICE: 0,
  LONG_TERM_STORAGE_YEAR: 100,
  INTEGRATION: 2_000_000,
  PORTAL_AUTHORISATION: 750_000,
});

/** What a line of the report says it is for (the invoice text). */
export const KIND_DESCRIPTIONS: Readonly<Record<BillableKind, string>> = {
  SIGNING: 'Signing / validation',
  AUTHENTICATED_SIGNATURE: 'Authenticated signature add-on',
  IDPORTEN_AUTHENTICATION: 'Signing by ID-porten authentication',
  ADVANCED_SIGNATURE: 'Advanced signature (BankID or Buypass)',
  PORTAL_LOGIN: 'Signing portal login',
  SMS_NOTICE: 'Notice by SMS',
  EMAIL_NOTICE: 'Notice by e-mail',
  LONG_TERM_STORAGE_YEAR: 'Long-term storage, per job and year',
  INTEGRATION: 'One-off: integration',
  PORTAL_AUTHORISATION: 'One-off: portal authorisation',
};

// A price is a whole number of øre: a fraction (0.4) is almost certainly NOK written by mistake.
// The ceiling keeps quantity × price well inside PostgreSQL's integer column.
const unitPrice = z
  .number({ error: 'must be a number of øre' })
  .int({ error: 'must be a whole number of øre (integer minor units), not NOK' })
  .min(0, { error: 'must not be negative' })
  .max(100_000_000, { error: 'must be at most 100000000 øre' });

/** Partial override: kinds left out keep their default price; unknown kinds are refused. */
const overrideSchema = z.strictObject(
  Object.fromEntries(BILLABLE_KINDS.map((kind) => [kind, unitPrice.optional()])) as Record<
    BillableKind,
    z.ZodOptional<typeof unitPrice>
  >,
);

export class PriceTableError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid price table:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PriceTableError';
  }
}

/**
 * The price table in force: the defaults, with the kinds named in `json` (an object of kind →
 * integer øre, e.g. `{"SMS_NOTICE": 45}`) overridden. No argument, or an empty/blank string,
 * means the defaults. Throws PriceTableError naming each bad key.
 */
export function loadPriceTable(json?: string): PriceTable {
  if (json === undefined || json.trim() === '') return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new PriceTableError([`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = overrideSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PriceTableError(
      parsed.error.issues.flatMap((issue) => {
        // An unknown key is reported once for the object with every offending key listed.
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map(
            (key) => `${key}: unknown billable kind (known: ${BILLABLE_KINDS.join(', ')})`,
          );
        }
        const key = issue.path.length > 0 ? issue.path.join('.') : '(table)';
        return [`${key}: ${issue.message}`];
      }),
    );
  }
  const overrides = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  return Object.freeze({ ...DEFAULT_PRICES, ...overrides });
}
