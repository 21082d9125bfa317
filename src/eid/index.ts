/**
 * Choosing the login and the signing keys by configuration. The login is OpenID Connect
 * (`EID_PROVIDER=oidc`, the only kind and the default): the national login service in production,
 * the local provider (src/dev/oidc-provider.ts) in development and tests. Its variables are
 * required everywhere, so a missing one stops start-up with a message naming it.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AuthenticationLevel } from '../job/model.js';
import { DEFAULT_LEVEL_ACR } from './levels.js';
import { discoverOidcProvider, isLoopbackUrl, type OidcSettings } from './oidc.js';
import type { EidProvider } from './provider.js';

export { OidcSetupError } from './oidc.js';
export type {
  AuthenticatedIdentity,
  EidProvider,
  LoginRefusal,
  LoginResult,
  LoginSecrets,
  LoginStart,
} from './provider.js';

export class EidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid eID configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EidConfigError';
  }
}

/** The callback path under PUBLIC_URL: the redirect URI to register with the provider. */
export const LOGIN_CALLBACK_PATH = '/login/callback';
/** Where the provider sends the browser back after logging out (the post-logout redirect URI). */
export const LOGGED_OUT_PATH = '/logout/done';

/**
 * The OpenID Connect settings from the environment: EID_PROVIDER, OIDC_ISSUER, OIDC_CLIENT_ID,
 * OIDC_CLIENT_SECRET or OIDC_CLIENT_PRIVATE_KEY_FILE (+ OIDC_CLIENT_KEY_ID), OIDC_ACR_LEVEL3,
 * OIDC_ACR_LEVEL4, OIDC_PROVIDER_NAME, OIDC_SCOPE. Throws EidConfigError naming every problem.
 */
export async function oidcSettingsFromEnv(env: Record<string, string | undefined>): Promise<OidcSettings> {
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];
  const provider = get('EID_PROVIDER') ?? 'oidc';
  if (provider !== 'oidc')
    problems.push(`EID_PROVIDER: unknown provider ${JSON.stringify(provider)} (known: oidc)`);

  let issuer: URL | undefined;
  const issuerText = get('OIDC_ISSUER');
  if (!issuerText) problems.push('OIDC_ISSUER: missing (the login provider, e.g. https://test.idporten.no)');
  else {
    try {
      issuer = new URL(issuerText);
      if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopbackUrl(issuer))) {
        problems.push(`OIDC_ISSUER: must be an https:// URL (http only on this machine), got ${issuerText}`);
      }
    } catch {
      problems.push(`OIDC_ISSUER: not a URL (got ${JSON.stringify(issuerText)})`);
    }
  }
  const clientId = get('OIDC_CLIENT_ID');
  if (!clientId) problems.push('OIDC_CLIENT_ID: missing (the client id registered with the provider)');

  const secret = get('OIDC_CLIENT_SECRET');
  const keyFile = get('OIDC_CLIENT_PRIVATE_KEY_FILE');
  let clientAuth: OidcSettings['clientAuth'] | undefined;
  if (secret && keyFile) {
    problems.push('OIDC_CLIENT_SECRET and OIDC_CLIENT_PRIVATE_KEY_FILE: set one, not both');
  } else if (secret) {
    clientAuth = { kind: 'secret', secret };
  } else if (keyFile) {
    try {
      clientAuth = await privateKeyJwtAuth(keyFile, get('OIDC_CLIENT_KEY_ID'));
    } catch (err) {
      problems.push(`OIDC_CLIENT_PRIVATE_KEY_FILE: ${(err as Error).message}`);
    }
  } else {
    problems.push(
      'OIDC_CLIENT_SECRET or OIDC_CLIENT_PRIVATE_KEY_FILE: missing (client_secret_basic or private_key_jwt)',
    );
  }

  const levelAcr: Record<AuthenticationLevel, string> = {
    3: get('OIDC_ACR_LEVEL3') ?? DEFAULT_LEVEL_ACR[3],
    4: get('OIDC_ACR_LEVEL4') ?? DEFAULT_LEVEL_ACR[4],
  };
  if (levelAcr[3] === levelAcr[4]) problems.push('OIDC_ACR_LEVEL3 and OIDC_ACR_LEVEL4: must differ');

  if (problems.length > 0 || !issuer || !clientId || !clientAuth) throw new EidConfigError(problems);
  return {
    issuer,
    clientId,
    clientAuth,
    levelAcr,
    name: get('OIDC_PROVIDER_NAME') ?? issuer.host,
    scope: get('OIDC_SCOPE') ?? 'openid profile',
  };
}

/** A private key for private_key_jwt from a PEM (PKCS#8) or JWK file; RSA (RS256) or EC P-256 (ES256). */
async function privateKeyJwtAuth(
  file: string,
  kid: string | undefined,
): Promise<Extract<OidcSettings['clientAuth'], { kind: 'private_key_jwt' }>> {
  const text = (await readFile(file, 'utf8')).trim();
  const keyObject = text.startsWith('{')
    ? createPrivateKey({ key: JSON.parse(text) as import('node:crypto').JsonWebKey, format: 'jwk' })
    : createPrivateKey(text);
  if (keyObject.type !== 'private') throw new Error('not a private key');
  const jwk = keyObject.export({ format: 'jwk' });
  const algorithm =
    jwk.kty === 'RSA'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? { name: 'ECDSA', namedCurve: 'P-256' }
        : undefined;
  if (!algorithm) throw new Error('only RSA and EC P-256 keys are supported');
  const key = await crypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  const fileKid = text.startsWith('{') ? (JSON.parse(text) as { kid?: unknown }).kid : undefined;
  const chosenKid = kid ?? (typeof fileKid === 'string' ? fileKid : undefined);
  return { kind: 'private_key_jwt', key, ...(chosenKid ? { kid: chosenKid } : {}) };
}

/** The login from the environment, after discovery (throws EidConfigError or OidcSetupError). */
export async function createEidProvider(env: Record<string, string | undefined>): Promise<EidProvider> {
  return discoverOidcProvider(await oidcSettingsFromEnv(env));
}
