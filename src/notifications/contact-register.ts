/**
 * The contact and reservation register (KRR): a person's e-mail and mobile, or that they opted
 * out of digital contact. Behind one interface: a development register over the table
 * `dev_contact_register` (its synthetic people are seeded by ./dev-register-seed.ts, which
 * production code never imports), and an HTTP client for a real register.
 */
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { normaliseMobile } from '../rules/contact.js';
import { asBaseUrl, jsonOf, postJson } from './http-json.js';

export type ContactRegisterEntry =
  | { status: 'ACTIVE'; email?: string; mobile?: string }
  /** Opted out of digital contact: the signer becomes RESERVED. */
  | { status: 'RESERVED' }
  /** Not in the register (or deleted): treated like missing contact details. */
  | { status: 'NOT_FOUND' }
  /** In the register without e-mail or mobile: the signer becomes CONTACT_INFORMATION_MISSING. */
  | { status: 'NO_CONTACT_INFO' };

export interface ContactRegister {
  /** One entry per identity number asked for, keyed by that number. */
  lookup(pids: string[]): Promise<Map<string, ContactRegisterEntry>>;
}

/** The entry for a person's details, as both registers decide it. */
export function contactEntry(
  reserved: boolean,
  email?: string | null,
  mobile?: string | null,
): ContactRegisterEntry {
  if (reserved) return { status: 'RESERVED' };
  const e164 = mobile ? normaliseMobile(mobile) : null;
  if (!email && !e164) return { status: 'NO_CONTACT_INFO' };
  return { status: 'ACTIVE', ...(email ? { email } : {}), ...(e164 ? { mobile: e164 } : {}) };
}

export function createDevContactRegister(db: Db): ContactRegister {
  return {
    async lookup(pids) {
      const result = new Map<string, ContactRegisterEntry>(pids.map((pid) => [pid, { status: 'NOT_FOUND' }]));
      if (pids.length === 0) return result;
      const rows = await db.selectFrom('dev_contact_register').selectAll().where('pid', 'in', pids).execute();
      for (const row of rows) result.set(row.pid, contactEntry(row.reserved, row.email, row.mobile));
      return result;
    },
  };
}

/**
 * The HTTP register's contract, modelled on KRR's lookup API (oppslagstjenesten):
 *
 *     POST {baseUrl}/rest/v1/personer
 *     Authorization: Bearer <token>
 *     { "personidentifikatorer": ["..."] }            (at most 1000)
 *
 *     200 { "personer": [ { "personidentifikator": "...",
 *                           "status": "AKTIV" | "SLETTET" | "IKKE_REGISTRERT",
 *                           "reservasjon": "JA" | "NEI",
 *                           "kontaktinformasjon": { "epostadresse": "...", "mobiltelefonnummer": "..." } } ] }
 *
 * A person missing from the answer, or not AKTIV, is NOT_FOUND. Identity numbers go in the
 * body, never in the URL, so they do not end up in access logs.
 */
const krrPerson = z.object({
  personidentifikator: z.string(),
  status: z.string().optional(),
  reservasjon: z.string().optional(),
  kontaktinformasjon: z
    .object({ epostadresse: z.string().nullish(), mobiltelefonnummer: z.string().nullish() })
    .nullish(),
});
const krrAnswer = z.object({ personer: z.array(krrPerson) });

export const KRR_MAX_PIDS_PER_REQUEST = 1000;

export interface HttpContactRegisterConfig {
  baseUrl: string;
  bearerToken: string;
  timeoutMs?: number;
}

export class ContactRegisterError extends Error {
  override readonly name = 'ContactRegisterError';
}

export function createHttpContactRegister(config: HttpContactRegisterConfig): ContactRegister {
  const url = new URL('rest/v1/personer', asBaseUrl(config.baseUrl));
  return {
    async lookup(pids) {
      const result = new Map<string, ContactRegisterEntry>(pids.map((pid) => [pid, { status: 'NOT_FOUND' }]));
      for (let i = 0; i < pids.length; i += KRR_MAX_PIDS_PER_REQUEST) {
        const batch = pids.slice(i, i + KRR_MAX_PIDS_PER_REQUEST);
        for (const person of await fetchBatch(url, config, batch)) {
          if (!result.has(person.personidentifikator)) continue; // not asked for
          result.set(
            person.personidentifikator,
            person.status === 'AKTIV'
              ? contactEntry(
                  person.reservasjon === 'JA',
                  person.kontaktinformasjon?.epostadresse,
                  person.kontaktinformasjon?.mobiltelefonnummer,
                )
              : { status: 'NOT_FOUND' },
          );
        }
      }
      return result;
    },
  };
}

async function fetchBatch(url: URL, config: HttpContactRegisterConfig, pids: string[]) {
  const response = await postJson(url, {
    headers: { authorization: `Bearer ${config.bearerToken}` },
    body: { personidentifikatorer: pids },
    timeoutMs: config.timeoutMs ?? 15_000,
    error: (message) => new ContactRegisterError(message),
    peer: 'the contact register',
  });
  const parsed = krrAnswer.safeParse(await jsonOf(response));
  if (!parsed.success) throw new ContactRegisterError('the contact register answered in an unexpected shape');
  return parsed.data.personer;
}
