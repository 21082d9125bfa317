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

export type SigningKeyKind = 'test' | 'none';

/**
 * SIGNING_KEYS (validated in src/config.ts): `test` (the default outside production) or `none`
 * (the default in production until a real service is plugged in: simple signatures work,
 * advanced ones are refused).
 */
export function signingKeyKind(
  appEnv: 'development' | 'production' | 'test',
  chosen: SigningKeyKind | undefined,
): SigningKeyKind {
  return chosen ?? (appEnv === 'production' ? 'none' : 'test');
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
