/**
 * What the ceremony and the portals need from an electronic ID: a login that yields an
 * authenticated identity, and, for advanced signatures, the person's own signing key. The
 * built-in test provider implements it; a real one (an OpenID Connect login such as the national
 * login service, a BankID-style signing service) replaces it by configuration (see config.ts).
 */

import type { AuthenticationLevel } from '../job/model.js';
import type { CertifiedKey } from '../signing/index.js';

/** A person as the eID vouched for them at login. */
export interface AuthenticatedIdentity {
  /** National identity number (fødselsnummer, D-number or synthetic test number). */
  pid: string;
  name: string;
  level: AuthenticationLevel;
  authenticatedAt: Date;
  /** Which eID, as printed in signatures, e.g. "Test eID". */
  provider: string;
}

/**
 * How a login begins: the built-in test provider asks on our own page (a form); an OpenID Connect
 * provider sends the browser to its authorisation endpoint and comes back to the callback.
 */
export type LoginStart = { kind: 'form' } | { kind: 'redirect'; url: string };

export type LoginResult =
  | { ok: true; identity: AuthenticatedIdentity }
  | { ok: false; code: 'INVALID_IDENTITY_NUMBER' | 'INVALID_LEVEL' | 'LOGIN_FAILED'; message: string };

export interface LoginRequest {
  /** Opaque value to bind the provider's answer to this browser (OIDC `state`). */
  state: string;
  /** Where the provider sends the browser back (OIDC redirect_uri). */
  callbackUrl: string;
  /** The lowest level the caller accepts; a provider may offer to log in higher. */
  minimumLevel: AuthenticationLevel;
}

export interface EidProvider {
  /** Stable name recorded with sessions and signatures. */
  readonly name: string;
  startLogin(request: LoginRequest): LoginStart;
  /** The form fields (test provider) or callback query parameters (OIDC) of a finished login. */
  finishLogin(params: Record<string, string>): Promise<LoginResult>;
  /** The person's own key and certificate for an advanced signature (same key on every call). */
  signingKey(identity: Pick<AuthenticatedIdentity, 'pid' | 'name'>): Promise<CertifiedKey>;
}
