/**
 * The person's own signing key for an advanced signature, apart from the login: in reality a remote
 * signing service (BankID, Buypass) holds the key and signs after its own authentication; here the
 * test keys (person-keys.ts, certificates from the test eID CA) stand in. Chosen by SIGNING_KEYS,
 * independently of EID_PROVIDER. A real service implements `SigningKeyProvider` (see the README).
 */
import type { Db } from '../db/index.js';
import type { CertifiedKey, Pki } from '../signing/index.js';
import { createPersonKeyStore } from './person-keys.js';

export interface SigningKeyProvider {
  /** `test`, `none`, or a real service's name. */
  readonly kind: string;
  /** The person's key and certificate (the same key on every call). */
  keyOf(person: { pid: string; name: string }): Promise<CertifiedKey>;
}

export class SigningKeysUnavailableError extends Error {
  constructor() {
    super('advanced signatures need a signing-key service for people (SIGNING_KEYS); none is configured');
    this.name = 'SigningKeysUnavailableError';
  }
}

export const SIGNING_KEY_KINDS = ['test', 'none'] as const;
export type SigningKeyKind = (typeof SIGNING_KEY_KINDS)[number];

/**
 * SIGNING_KEYS: `test` (the default outside production) or `none` (the default in production,
 * until a real service is plugged in: simple signatures work, advanced ones are refused).
 */
export function signingKeyKindFromEnv(
  appEnv: 'development' | 'production' | 'test',
  value: string | undefined,
): SigningKeyKind | { error: string } {
  const chosen = value || (appEnv === 'production' ? 'none' : 'test');
  return (SIGNING_KEY_KINDS as readonly string[]).includes(chosen)
    ? (chosen as SigningKeyKind)
    : {
        error: `SIGNING_KEYS: must be one of ${SIGNING_KEY_KINDS.join(', ')} (got ${JSON.stringify(chosen)})`,
      };
}

export function createSigningKeys(kind: SigningKeyKind, deps: { db: Db; pki: Pki }): SigningKeyProvider {
  if (kind === 'none') {
    return {
      kind,
      keyOf: () => Promise.reject(new SigningKeysUnavailableError()),
    };
  }
  const store = createPersonKeyStore(deps.db, deps.pki);
  return { kind, keyOf: (person) => store.keyOf(person) };
}
