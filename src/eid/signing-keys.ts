/**
 * The person's own signing key for an advanced signature, apart from the login. Two shapes:
 * a key the service may use itself (`keyOf`: the test keys of person-keys.ts, certificates from
 * the test eID CA), or remote signing services that keep the key and sign a digest once the
 * person approved it there (`remote`: the CSC API v2 clients of src/eid/csc). Chosen by
 * SIGNING_KEYS, independently of EID_PROVIDER.
 */
import type { Db } from '../db/index.js';
import type { CertifiedKey, Pki } from '../signing/index.js';
import {
  type CscClient,
  type CscClientOptions,
  type CscProviderConfig,
  createCscClient,
} from './csc/client.js';
import { createPersonKeyStore } from './person-keys.js';

export interface SigningKeyProvider {
  /** `test`, `none` or `csc`. */
  readonly kind: string;
  /** The person's key and certificate (the same key on every call); refused by remote signing. */
  keyOf(person: { pid: string; name: string }): Promise<CertifiedKey>;
  /** With SIGNING_KEYS=csc: the remote signing services by name (BankID, Buypass), in order. */
  readonly remote?: ReadonlyMap<string, CscClient>;
  /** The remote signing services' CAs (PEM) the verifier trusts beside the service's own roots. */
  readonly trustAnchorsPem?: string;
}

/** A remote signing service keeps the key: the signature needs the person's approval there. */
export class RemoteSigningRequiredError extends Error {
  constructor() {
    super(
      'advanced signatures are made at a remote signing service (SIGNING_KEYS=csc) after the person approves',
    );
    this.name = 'RemoteSigningRequiredError';
  }
}

export class SigningKeysUnavailableError extends Error {
  constructor() {
    super('advanced signatures need a signing-key service for people (SIGNING_KEYS); none is configured');
    this.name = 'SigningKeysUnavailableError';
  }
}

export type SigningKeyKind = 'test' | 'none' | 'csc';

/**
 * SIGNING_KEYS (validated in src/config.ts): `test` (the default outside production), `none`
 * (the default in production: simple signatures work, advanced ones are refused) or `csc`.
 */
export function signingKeyKind(
  appEnv: 'development' | 'production' | 'test',
  chosen: SigningKeyKind | undefined,
): SigningKeyKind {
  return chosen ?? (appEnv === 'production' ? 'none' : 'test');
}

export function createSigningKeys(
  kind: SigningKeyKind,
  deps: {
    db: Db;
    pki: Pki;
    cscProviders?: CscProviderConfig[];
    cscOptions?: CscClientOptions;
    /** The providers' CAs as PEM (CSC_<NAME>_CA_FILE), trusted by the verifier. */
    cscTrustAnchorsPem?: string;
  },
): SigningKeyProvider {
  if (kind === 'csc') {
    const providers = deps.cscProviders ?? [];
    if (providers.length === 0)
      throw new Error('SIGNING_KEYS=csc needs at least one provider (CSC_PROVIDERS)');
    return {
      kind,
      keyOf: () => Promise.reject(new RemoteSigningRequiredError()),
      remote: new Map(providers.map((p) => [p.name, createCscClient(p, deps.cscOptions)])),
      ...(deps.cscTrustAnchorsPem ? { trustAnchorsPem: deps.cscTrustAnchorsPem } : {}),
    };
  }
  if (kind === 'none') {
    return {
      kind,
      keyOf: () => Promise.reject(new SigningKeysUnavailableError()),
    };
  }
  const store = createPersonKeyStore(deps.db, deps.pki);
  return { kind, keyOf: (person) => store.keyOf(person) };
}
