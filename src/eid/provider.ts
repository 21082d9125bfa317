/**
 * What the ceremony and the portals need from the login: the browser is sent to the eID's login
 * and comes back with an authenticated identity. OpenID Connect (oidc.ts) implements it, against
 * the national login service in production and the local provider (src/dev/oidc-provider.ts) in
 * development and tests. The person's own signing key is a separate concern (signing-keys.ts).
 */

import type { AuthenticationLevel } from '../job/model.js';

/** A person as the eID vouched for them at login. */
export interface AuthenticatedIdentity {
  /** National identity number (fødselsnummer, D-number or synthetic test number). */
  pid: string;
  name: string;
  level: AuthenticationLevel;
  authenticatedAt: Date;
  /** Which eID service, as printed in signatures, e.g. "ID-porten". */
  provider: string;
  /** The login's `acr`, `amr` (the eID used, e.g. BankID) and the provider's session id `sid`. */
  acr?: string;
  amr?: string[];
  sid?: string;
}

/** What must survive the trip to the provider and back (kept in the browser, signed: login-transaction). */
export interface LoginSecrets {
  state: string;
  nonce: string;
  /** PKCE code verifier. */
  codeVerifier: string;
}

export interface LoginStart {
  /** Where to send the browser: the provider's authorisation endpoint. */
  url: string;
  secrets: LoginSecrets;
}

/**
 * Why a login was refused, for the page the person sees (the detail goes to the log):
 * - `STATE`: the answer does not belong to the login this browser started (forged or stale);
 * - `CANCELLED`: the person or the provider ended the login (`error=access_denied` and the like);
 * - `TOKEN`: the provider's answer or id_token failed validation (code, signature, issuer,
 *   audience, expiry, nonce);
 * - `LEVEL_TOO_LOW`: logged in below the level asked for;
 * - `IDENTITY`: no identity number, or not a valid one.
 */
export type LoginRefusal = 'STATE' | 'CANCELLED' | 'TOKEN' | 'LEVEL_TOO_LOW' | 'IDENTITY';

export type LoginResult =
  | { ok: true; identity: AuthenticatedIdentity; idToken: string }
  | { ok: false; refusal: LoginRefusal; detail: string };

export interface EidProvider {
  /** Stable name recorded with sessions and signatures. */
  readonly name: string;
  /**
   * Origins a form of ours is redirected to (the provider's end-session endpoint after the logout
   * form): the pages' form-action must allow them, as Chromium applies it to the redirect.
   */
  readonly formTargets: string[];
  /** Begins a login at `minimumLevel`; the provider sends the browser back to `callbackUrl`. */
  startLogin(request: {
    minimumLevel: AuthenticationLevel;
    callbackUrl: string;
    locale?: string;
  }): Promise<LoginStart>;
  /** Validates the provider's answer (the callback URL as the browser came back to it). */
  finishLogin(
    callbackUrl: URL,
    expected: LoginSecrets & { minimumLevel: AuthenticationLevel },
  ): Promise<LoginResult>;
  /** Where to send the browser to end the provider's session too, if the provider offers it. */
  logoutUrl(idToken: string, postLogoutRedirectUri: string): string | undefined;
}
