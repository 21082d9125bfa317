/**
 * The local login provider: a real OpenID Connect server (the certified library oidc-provider) of
 * the national login service's shape, for development and tests. Discovery, JWKS, authorization
 * with PKCE (required) and PAR, the token endpoint, end-session; a TestID-like page where one
 * types a test identity number and picks the level. Its id_token carries `pid`, `acr`
 * (`idporten-loa-substantial`/`-high`), `amr: ["TestID"]`, `locale`, `sid`, `nonce` and a `name`.
 * Sessions live in memory. Anyone can log in as anyone: never a production login.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { LOGGED_OUT_PATH, LOGIN_CALLBACK_PATH } from '../eid/index.js';
import { DEFAULT_LEVEL_ACR } from '../eid/levels.js';
import { testEidName } from '../notifications/dev-register-seed.js';
import { testPopulation } from '../notifications/test-population.js';
import { validatePersonalIdentificationNumber } from '../rules/identity.js';

export interface LocalOidcClient {
  clientId: string;
  /** client_secret_basic/post with this secret; or private_key_jwt with `jwks`. */
  clientSecret?: string;
  /** Public keys for private_key_jwt. */
  jwks?: { keys: Record<string, unknown>[] };
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export type IdTokenClaims = Record<string, unknown>;

/** The client the local provider registers for the service by default (development only). */
export const LOCAL_OIDC_CLIENT = { clientId: 'esign-local', clientSecret: 'local-oidc-secret' } as const;

/** The service's client at the local provider, given the service's PUBLIC_URL. */
export function localClientFor(publicUrl: string): LocalOidcClient {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    ...LOCAL_OIDC_CLIENT,
    redirectUris: [`${base}${LOGIN_CALLBACK_PATH}`],
    postLogoutRedirectUris: [`${base}${LOGGED_OUT_PATH}`],
  };
}

/** The service's OIDC_* variables for logging in through the local provider at `issuer`. */
export function localProviderEnv(issuer: string): Record<string, string> {
  return {
    EID_PROVIDER: 'oidc',
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: LOCAL_OIDC_CLIENT.clientId,
    OIDC_CLIENT_SECRET: LOCAL_OIDC_CLIENT.clientSecret,
    OIDC_PROVIDER_NAME: LOCAL_PROVIDER_NAME,
  };
}

/** The name the service records for logins through the local provider. */
export const LOCAL_PROVIDER_NAME = 'TestID (local)';

/**
 * Test-only: changes each id_token the token endpoint returns (forged tokens for the refusal
 * tests). `sign` signs claims with the provider's own key, or with `key` under the provider's key id.
 */
export type IdTokenRewrite = (
  claims: IdTokenClaims,
  sign: (claims: IdTokenClaims, key?: KeyObject) => string,
) => string;

export interface LocalOidcOptions {
  port: number;
  host?: string;
  clients: LocalOidcClient[];
  /** The RSA key the provider signs with (a fresh one by default). */
  signingKey?: KeyObject;
  rewriteIdToken?: IdTokenRewrite;
}

export interface LocalOidcProvider {
  issuer: string;
  /** The current test-only rewrite; tests set and clear it between logins. */
  rewriteIdToken: IdTokenRewrite | undefined;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 8 * 1024;

export async function startLocalOidcProvider(options: LocalOidcOptions): Promise<LocalOidcProvider> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const privateKey = options.signingKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = createHash('sha256')
    .update(JSON.stringify(privateKey.export({ format: 'jwk' }).n))
    .digest('base64url')
    .slice(0, 16);
  /** The people who logged in, by account id (a hash of the number, as `sub` is no identity number). */
  const accounts = new Map<string, { pid: string; locale: string }>();

  // Loaded here, not at the top: the module prints a warning about the Node version as it loads,
  // which a process that stops before starting a provider (a configuration error) should not show.
  const { default: OidcProvider } = await import('oidc-provider');
  const provider = new OidcProvider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
      ...(c.jwks ? { jwks: c.jwks } : {}),
      token_endpoint_auth_method: c.jwks ? 'private_key_jwt' : 'client_secret_basic',
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    // Short lives, as a login service's: a code for a minute, a login session for an hour.
    ttl: {
      AuthorizationCode: 60,
      IdToken: 600,
      AccessToken: 600,
      Interaction: 600,
      PushedAuthorizationRequest: 60,
      Grant: 3600,
      Session: 3600,
    },
    acrValues: Object.values(DEFAULT_LEVEL_ACR),
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub', 'pid', 'locale', 'acr', 'amr', 'auth_time'], profile: ['name'] },
    // The national login service puts pid and the rest in the id_token itself.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          pid: account.pid,
          locale: account.locale,
          name: testEidName(account.pid),
        }),
      };
    },
    // One trusted client per deployment: the grant is implied, no consent page.
    async loadExistingGrant(ctx: {
      oidc: { client: { clientId: string }; session: { accountId: string }; provider: Provider };
    }) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    renderError(ctx: { type: string; body: string }, out: Record<string, string>) {
      ctx.type = 'html';
      ctx.body = page(
        'Login error',
        `<p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`,
      );
    },
  });

  // The national login service puts its session id `sid` in every id_token; oidc-provider only
  // does for clients registered for back-channel logout, which this one does not offer.
  provider.Client.prototype.includeSid = () => true;

  const handle: LocalOidcProvider = {
    issuer,
    rewriteIdToken: options.rewriteIdToken,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  // The test-only hook: replace the id_token in the token endpoint's answer.
  const signWith = (claims: IdTokenClaims, key: KeyObject = privateKey) => {
    const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url')}`;
  };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (ctx.path === '/token' && handle.rewriteIdToken && typeof body?.id_token === 'string') {
      const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1] ?? '', 'base64url').toString());
      body.id_token = handle.rewriteIdToken(claims, signWith);
    }
  });

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const m = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(path);
    if (!m) return callback(req, res);
    interaction(req, res, m[2]).catch((err: Error) => {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Login error', `<p>${escapeHtml(err.message)}</p>`));
    });
  });

  /** The TestID-like page: GET shows the form, POST …/login logs in, POST …/abort cancels. */
  async function interaction(req: IncomingMessage, res: ServerResponse, action: string | undefined) {
    const details = await provider.interactionDetails(req, res);
    const acrValues = String(details.params.acr_values ?? '').split(' ');
    const asked =
      acrValues.includes(DEFAULT_LEVEL_ACR[3]) && !acrValues.includes(DEFAULT_LEVEL_ACR[4]) ? 3 : 4;
    const locale = String(details.params.ui_locales ?? 'nb').split(' ')[0] === 'en' ? 'en' : 'nb';
    if (req.method === 'POST' && action === '/abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'the person cancelled the login',
      });
    }
    if (req.method === 'POST' && action === '/login') {
      const form = new URLSearchParams(await readBody(req));
      const pid = (form.get('pid') ?? '').replace(/\s+/g, '');
      const level = form.get('level') === '3' ? 3 : 4;
      const check = validatePersonalIdentificationNumber(pid);
      if (!check.ok)
        return sendForm(res, details.uid, level, `Not a valid identity number: ${check.reason}`, 400);
      const accountId = createHash('sha256').update(`local-oidc:${pid}`).digest('base64url');
      accounts.set(accountId, { pid, locale });
      return provider.interactionFinished(
        req,
        res,
        {
          login: {
            accountId,
            acr: DEFAULT_LEVEL_ACR[level],
            amr: ['TestID'],
            ts: Math.floor(Date.now() / 1000),
          },
        },
        { mergeWithLastSubmission: false },
      );
    }
    return sendForm(res, details.uid, asked);
  }

  return handle;
}

function sendForm(res: ServerResponse, uid: string, level: 3 | 4, error?: string, status = 200) {
  const people = testPopulation
    .slice(0, 6)
    .map((p) => `<li><code>${p.pid}</code> ${escapeHtml(p.name)}</li>`)
    .join('');
  const radio = (l: 3 | 4) =>
    `<label><input type="radio" name="level" value="${l}"${l === level ? ' checked' : ''}> Level ${l} (${DEFAULT_LEVEL_ACR[l]})</label>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    page(
      'TestID',
      `<p>Local test login: type a test identity number and choose the security level. Anyone can log in as anyone here.</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<p><label for="pid">Test identity number</label><br><input id="pid" name="pid" inputmode="numeric" autocomplete="off" required></p>
<fieldset><legend>Security level</legend>${radio(3)}<br>${radio(4)}</fieldset>
<p><button type="submit">Log in with TestID</button></p>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
<h2>Test people</h2><ul>${people}</ul>`,
    ),
  );
}

/** End-session: logging out of the local provider needs no confirmation (the national service asks none). */
async function logoutSource(ctx: { body: string }, form: string) {
  ctx.body = page(
    'Logging out',
    `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Log out of TestID</button>
<script>document.querySelector('button[name=logout]').click()</script>`,
  );
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} (local login)</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
