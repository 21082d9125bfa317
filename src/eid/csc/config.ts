/**
 * The remote signing services of SIGNING_KEYS=csc, one per name in CSC_PROVIDERS (the names the
 * price list and the signature page use, e.g. `BankID,Buypass`), each with its own variables:
 * CSC_<NAME>_URL (the service's base URL: `<URL>/csc/v2/...`), CSC_<NAME>_CLIENT_ID and
 * CSC_<NAME>_CLIENT_SECRET (the OAuth client the provider registered for this service), and
 * optionally CSC_<NAME>_CA_FILE (PEM: the provider's CA, trusted when signatures are verified).
 * <NAME> is the name in capitals with anything but letters and digits as `_` (CSC_BANKID_URL).
 */
import { z } from 'zod';
import type { CscProviderConfig } from './client.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/;

export const cscVariablePrefix = (name: string) => `CSC_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;

/** The providers, or the problems naming each bad variable. `env` has no empty values. */
export function cscProvidersFromEnv(env: Record<string, string | undefined>): {
  providers: CscProviderConfig[];
  problems: string[];
} {
  const list = (env.CSC_PROVIDERS ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (list.length === 0) {
    return {
      providers: [],
      problems: ['CSC_PROVIDERS: SIGNING_KEYS=csc needs at least one provider name (missing)'],
    };
  }
  const problems: string[] = [];
  const providers: CscProviderConfig[] = [];
  const seen = new Set<string>();
  for (const name of list) {
    const prefix = cscVariablePrefix(name);
    if (!NAME.test(name) || seen.has(prefix)) {
      problems.push(`CSC_PROVIDERS: "${name.slice(0, 40)}" is not a usable provider name, or given twice`);
      continue;
    }
    seen.add(prefix);
    const fields = {
      URL: z
        .string()
        .url()
        .regex(/^https?:\/\//, 'must be an http(s):// URL'),
      CLIENT_ID: z.string().min(1).max(200),
      CLIENT_SECRET: z.string().min(1).max(500),
    };
    const values: Record<string, string> = {};
    for (const [field, schema] of Object.entries(fields)) {
      const variable = `${prefix}${field}`;
      const parsed = schema.safeParse(env[variable]);
      if (parsed.success) values[field] = parsed.data;
      else {
        // Never echo a secret back, even a malformed one.
        const shown =
          env[variable] === undefined ? 'missing' : field === 'URL' ? `got "${env[variable]}"` : 'invalid';
        problems.push(`${variable}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${shown})`);
      }
    }
    const caFile = env[`${prefix}CA_FILE`];
    if (values.URL && values.CLIENT_ID && values.CLIENT_SECRET) {
      providers.push({
        name,
        baseUrl: values.URL,
        clientId: values.CLIENT_ID,
        clientSecret: values.CLIENT_SECRET,
        ...(caFile ? { caFile } : {}),
      });
    }
  }
  return { providers, problems };
}
