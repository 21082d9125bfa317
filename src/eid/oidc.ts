/**
 * Login through OpenID Connect (the national login service ID-porten, or the local provider of the
 * same shape in development and tests), on the certified relying-party library openid-client:
 * discovery at start-up, the authorization code flow with PKCE (always), `state` and `nonce` bound
 * to the browser, PAR when the provider advertises it. The id_token is validated by the library
 * (signature against the provider's JWKS, re-read every five minutes and when an unknown key id
 * appears, so rotated keys are picked up; `iss`, `aud`, `exp`, `nonce`) and then here: `iat` within a small skew, `acr` at
 * least the level asked for, `pid` present and a valid identity number.
 */
import * as client from 'openid-client';
import type { AuthenticationLevel } from '../job/model.js';
import { validatePersonalIdentificationNumber } from '../rules/identity.js';
import { levelOfAcr } from './levels.js';
import type {
  AuthenticatedIdentity,
  EidProvider,
  LoginResult,
  LoginSecrets,
  LoginStart,
} from './provider.js';

/** Seconds of clock difference tolerated on `exp`, `iat` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 30;
/** An id_token issued longer ago than this is stale, whatever its `exp` says. */
const MAX_ID_TOKEN_AGE_SECONDS = 10 * 60;

export class OidcSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OidcSetupError';
  }
}

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  /** client_secret_basic with a secret, or private_key_jwt with a key. */
  clientAuth: { kind: 'secret'; secret: string } | { kind: 'private_key_jwt'; key: CryptoKey; kid?: string };
  /** The `acr` value of each level. */
  levelAcr: Readonly<Record<AuthenticationLevel, string>>;
  /** The name recorded with sessions and printed in signatures, e.g. "ID-porten". */
  name: string;
  scope: string;
}

/** http is accepted only for a provider on this machine (the local provider); anything else needs https. */
export function isLoopbackUrl(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * Reads the provider's metadata and checks it offers what the login needs. Throws OidcSetupError
 * naming OIDC_ISSUER when the issuer cannot be reached or lacks something.
 */
export async function discoverOidcProvider(settings: OidcSettings): Promise<EidProvider> {
  const auth =
    settings.clientAuth.kind === 'secret'
      ? client.ClientSecretBasic(settings.clientAuth.secret)
      : client.PrivateKeyJwt(
          settings.clientAuth.kid
            ? { key: settings.clientAuth.key, kid: settings.clientAuth.kid }
            : settings.clientAuth.key,
        );
  const insecure = settings.issuer.protocol === 'http:' && isLoopbackUrl(settings.issuer);
  let config: client.Configuration;
  try {
    config = await client.discovery(
      settings.issuer,
      settings.clientId,
      { [client.clockTolerance]: CLOCK_SKEW_SECONDS },
      auth,
      { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 10 },
    );
  } catch (err) {
    throw new OidcSetupError(
      `OIDC_ISSUER: discovery at ${new URL('.well-known/openid-configuration', `${settings.issuer.href.replace(/\/?$/, '/')}`)} failed: ${describe(err)}`,
    );
  }
  const meta = config.serverMetadata();
  const lacks: string[] = [];
  if (!meta.authorization_endpoint) lacks.push('authorization_endpoint');
  if (!meta.token_endpoint) lacks.push('token_endpoint');
  if (!meta.jwks_uri) lacks.push('jwks_uri');
  if (meta.response_types_supported && !meta.response_types_supported.includes('code'))
    lacks.push('response type "code"');
  if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256'))
    lacks.push('PKCE with S256');
  for (const acr of Object.values(settings.levelAcr)) {
    if (meta.acr_values_supported && !meta.acr_values_supported.includes(acr)) lacks.push(`acr "${acr}"`);
  }
  if (lacks.length > 0) {
    throw new OidcSetupError(`OIDC_ISSUER: ${settings.issuer.href} does not offer ${lacks.join(', ')}`);
  }
  // The id_token comes straight from the token endpoint; check its signature all the same.
  client.enableNonRepudiationChecks(config);
  return new OidcEidProvider(config, settings);
}

class OidcEidProvider implements EidProvider {
  readonly name: string;
  readonly formTargets: string[];

  constructor(
    private readonly config: client.Configuration,
    private readonly settings: OidcSettings,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.name = settings.name;
    const endSession = config.serverMetadata().end_session_endpoint;
    this.formTargets = endSession ? [new URL(endSession).origin] : [];
  }

  async startLogin(request: {
    minimumLevel: AuthenticationLevel;
    callbackUrl: string;
    locale?: string;
  }): Promise<LoginStart> {
    const secrets: LoginSecrets = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const params: Record<string, string> = {
      redirect_uri: request.callbackUrl,
      scope: this.settings.scope,
      response_type: 'code',
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
      acr_values: this.settings.levelAcr[request.minimumLevel],
      // Every login here is a fresh authentication at the level asked for (a signature follows),
      // not a silent reuse of the provider's session, which may be at a lower level.
      prompt: 'login',
      ...(request.locale ? { ui_locales: request.locale } : {}),
    };
    const url = this.config.serverMetadata().pushed_authorization_request_endpoint
      ? await client.buildAuthorizationUrlWithPAR(this.config, params)
      : client.buildAuthorizationUrl(this.config, params);
    return { url: url.href, secrets };
  }

  async finishLogin(
    callbackUrl: URL,
    expected: LoginSecrets & { minimumLevel: AuthenticationLevel },
  ): Promise<LoginResult> {
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(this.config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const detail = describe(err);
      if (err instanceof client.AuthorizationResponseError)
        return { ok: false, refusal: 'CANCELLED', detail };
      if (/"state"/.test(detail)) return { ok: false, refusal: 'STATE', detail };
      return { ok: false, refusal: 'TOKEN', detail };
    }
    const claims = tokens.claims();
    const idToken = tokens.id_token;
    if (!claims || !idToken) return { ok: false, refusal: 'TOKEN', detail: 'no id_token' };
    const nowSeconds = this.now().getTime() / 1000;
    if (claims.iat > nowSeconds + CLOCK_SKEW_SECONDS || claims.iat < nowSeconds - MAX_ID_TOKEN_AGE_SECONDS) {
      return {
        ok: false,
        refusal: 'TOKEN',
        detail: `id_token iat ${claims.iat} is outside the accepted window`,
      };
    }
    const level = levelOfAcr(claims.acr, this.settings.levelAcr);
    if (level === undefined || level < expected.minimumLevel) {
      return {
        ok: false,
        refusal: 'LEVEL_TOO_LOW',
        detail: `acr ${JSON.stringify(claims.acr)} is below level ${expected.minimumLevel}`,
      };
    }
    const pid = typeof claims.pid === 'string' ? claims.pid : undefined;
    const check = pid ? validatePersonalIdentificationNumber(pid) : undefined;
    if (!pid || !check?.ok) {
      return {
        ok: false,
        refusal: 'IDENTITY',
        detail: pid
          ? `pid is not a valid identity number (${check && !check.ok ? check.reason : ''})`
          : 'no pid claim',
      };
    }
    const identity: AuthenticatedIdentity = {
      pid,
      name: nameOf(claims, pid),
      level,
      authenticatedAt: typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : this.now(),
      provider: this.name,
      acr: String(claims.acr),
      ...(Array.isArray(claims.amr) ? { amr: claims.amr.map(String) } : {}),
      ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
    };
    return { ok: true, identity, idToken };
  }

  logoutUrl(idToken: string, postLogoutRedirectUri: string): string | undefined {
    if (!this.config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(this.config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: postLogoutRedirectUri,
    }).href;
  }
}

/**
 * The person's name from the token. The national login service gives names only with the
 * `profile` scope; without one, the birth date part of the number stands in (never the whole number).
 */
function nameOf(claims: client.IDToken, pid: string): string {
  if (typeof claims.name === 'string' && claims.name.trim()) return claims.name.trim().slice(0, 200);
  const given = typeof claims.given_name === 'string' ? claims.given_name : '';
  const family = typeof claims.family_name === 'string' ? claims.family_name : '';
  const joined = `${given} ${family}`.trim();
  return joined ? joined.slice(0, 200) : `${pid.slice(0, 6)} *****`;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const error = (err as { error?: unknown }).error;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return [
    typeof code === 'string' ? code : '',
    typeof error === 'string' ? error : '',
    `${err.message}${cause}`,
  ]
    .filter(Boolean)
    .join(' ');
}
