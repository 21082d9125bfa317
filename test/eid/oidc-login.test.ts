/**
 * Logging in through OpenID Connect against the real local provider (src/dev/oidc-provider.ts),
 * over HTTP as a browser would, with the service's pages on a server of their own: a login writes
 * the first session row only when it succeeds, with acr, amr and sid; every forged or wrong answer
 * is a clear page and no session. The id_token forgeries come from the provider's test-only hook
 * (`rewriteIdToken`): the provider's genuine token is re-signed with changed claims, or signed by
 * another key under the provider's key id; state and code are the provider's own.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/http/server.js';
import {
  type LocalOidcProvider,
  localClientFor,
  localProviderEnv,
  startLocalOidcProvider,
} from '../../src/dev/oidc-provider.js';
import { createEidProvider, EidConfigError, type EidProvider, OidcSetupError } from '../../src/eid/index.js';
import type { SigningKeyProvider } from '../../src/eid/signing-keys.js';
import { createLogger } from '../../src/log.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import type { SigningContext } from '../../src/signatures/context.js';
import type { DocumentStore } from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { CookieJar, follow, loginThroughProvider } from '../helpers/oidc-login.js';
import { freePort } from '../helpers/ports.js';

const kari = testPopulation[0]!;

let t: TestDatabase;
let oidc: LocalOidcProvider;
let baseUrl: string;
let close: () => Promise<void>;

/** The app with only what the login pages touch (neither Temporal nor the signing material). */
function pagesApp(eid: EidProvider) {
  return createApp({
    db: t.db,
    temporal: {} as Client,
    config: { APP_ENV: 'test', PUBLIC_URL: baseUrl, TEMPORAL_TASK_QUEUE: 'q' },
    log: createLogger('silent', 'test'),
    signing: {} as SigningContext,
    eid,
    signingKeys: {} as SigningKeyProvider,
    storage: {} as DocumentStore,
    rateLimit: false,
  });
}

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  t = await createTestDatabase();
  oidc = await startLocalOidcProvider({
    port: 0,
    clients: [localClientFor(baseUrl), { ...localClientFor(baseUrl), clientId: 'other-client' }],
  });
  const eid = await createEidProvider(localProviderEnv(oidc.issuer));
  const app = pagesApp(eid);
  const http = await listen(app, '127.0.0.1', port);
  close = async () => {
    await http.close();
    await oidc.close();
    await t.db.destroy();
  };
});
afterAll(async () => close?.());
beforeEach(async () => {
  oidc.rewriteIdToken = undefined;
  await t.db.deleteFrom('portal_sessions').execute();
});

const sessionRows = () => t.db.selectFrom('portal_sessions').selectAll().execute();

/** A login up to the provider's answer, leaving the callback to the test. */
async function answeredLogin(level: 3 | 4 = 4, next = '/portal', asked: 3 | 4 = level) {
  const jar = new CookieJar();
  const hop = await loginThroughProvider(
    jar,
    `${baseUrl}/login?next=${encodeURIComponent(next)}&level=${asked}`,
    kari.pid,
    level,
    { stopAtCallback: true },
  );
  expect(new URL(hop.url).pathname).toBe('/login/callback');
  return { jar, callback: hop.url };
}

/** The callback answered as a refusal: a page saying why, no session cookie, no session row. */
async function expectRefused(res: Response, status: number, text: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('text/html');
  const page = await res.text();
  expect(page).toContain('The login was refused');
  expect(page).toContain(text);
  expect(res.headers.getSetCookie().some((c) => c.startsWith('esign_session='))).toBe(false);
  expect(await sessionRows()).toEqual([]);
}

const english = { 'accept-language': 'en' };

describe('a login through the local provider', () => {
  it('writes no session row until the login succeeds, then one with acr, amr and sid', async () => {
    // Anonymous visits to /login start a login at the provider and write nothing.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${baseUrl}/login?next=/portal`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')!.startsWith(`${oidc.issuer}/auth`)).toBe(true);
      const cookies = res.headers.getSetCookie();
      expect(cookies.some((c) => c.startsWith('esign_session='))).toBe(false);
      expect(cookies.find((c) => c.startsWith('esign_login='))).toMatch(/HttpOnly.*|Path=\/login\/callback/i);
    }
    expect(await sessionRows()).toEqual([]);

    const { jar, callback } = await answeredLogin(4);
    expect(await sessionRows()).toEqual([]);
    const back = await jar.fetch(callback);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/portal');
    const rows = await sessionRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      pid: kari.pid,
      name: kari.name,
      auth_level: 4,
      eid_provider: 'TestID (local)',
    });
    expect(rows[0]!.login).toMatchObject({
      acr: 'idporten-loa-high',
      amr: ['TestID'],
      sid: expect.any(String),
      idToken: expect.any(String),
    });
    // The transaction cookie is spent.
    expect(jar.get(baseUrl, 'esign_login')).toBeUndefined();
    expect(jar.get(baseUrl, 'esign_session')).toBeDefined();
  });

  it('accepts a higher level than asked for, and uses PAR and PKCE', async () => {
    const start = await fetch(`${baseUrl}/login?level=3`, { redirect: 'manual' });
    const to = new URL(start.headers.get('location')!);
    // Pushed authorization request: only the client id and the request_uri travel in the URL.
    expect([...to.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const { jar, callback } = await answeredLogin(4, '/portal', 3);
    expect((await jar.fetch(callback)).status).toBe(303);
    expect((await sessionRows())[0]).toMatchObject({ auth_level: 4 });
  });

  it('ends our session and the provider’s on logout', async () => {
    const { jar, callback } = await answeredLogin(4);
    await jar.fetch(callback);
    const [row] = await sessionRows();
    const res = await jar.fetch(`${baseUrl}/logout`, {
      method: 'POST',
      headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${row!.csrf_token}`,
    });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${oidc.issuer}/session/end`);
    expect(to.searchParams.get('id_token_hint')).toBe((row!.login as { idToken: string }).idToken);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${baseUrl}/logout/done`);
    expect(await sessionRows()).toEqual([]);
    // The provider's end-session page asks for nothing more than its own form (sent by the page's script).
    const page = await jar.fetch(to.href);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('op.logoutForm');
  });
});

describe('refused logins: a clear page and no session', () => {
  it('refuses an answer with another state', async () => {
    const { jar, callback } = await answeredLogin();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');
    await expectRefused(await jar.fetch(forged.href, { headers: english }), 400, 'does not belong');
  });

  it('refuses a callback with no login under way in this browser', async () => {
    const { callback } = await answeredLogin();
    await expectRefused(
      await fetch(callback, { headers: english, redirect: 'manual' }),
      400,
      'does not belong',
    );
  });

  it('refuses a replayed authorization code', async () => {
    const { jar, callback } = await answeredLogin();
    const transaction = jar.get(baseUrl, 'esign_login')!;
    expect((await jar.fetch(callback)).status).toBe(303);
    await t.db.deleteFrom('portal_sessions').execute();
    // The same answer once more, with the transaction cookie put back as an attacker would.
    const replay = new CookieJar();
    replay.set(baseUrl, 'esign_login', transaction);
    await expectRefused(await replay.fetch(callback, { headers: english }), 403, 'could not be accepted');
  });

  it('refuses a cancelled login', async () => {
    const jar = new CookieJar();
    const form = await follow(jar, `${baseUrl}/login?level=4`);
    const aborted = await jar.fetch(`${form.url}/abort`, { method: 'POST' });
    const back = await follow(jar, new URL(aborted.headers.get('location')!, form.url).href, (url) =>
      url.startsWith(`${baseUrl}/login/callback`),
    );
    await expectRefused(await jar.fetch(back.url, { headers: english }), 403, 'was cancelled');
  });

  it('refuses a login below the level asked for (acr too low)', async () => {
    const { jar, callback } = await answeredLogin(3, '/portal', 4);
    await expectRefused(await jar.fetch(callback, { headers: english }), 403, 'lower security level');
  });

  type Claims = Record<string, unknown>;
  const forgeries: [string, (claims: Claims) => Claims, string][] = [
    ['a wrong nonce', (c) => ({ ...c, nonce: 'another-nonce' }), 'could not be accepted'],
    ['no nonce', ({ nonce: _n, ...c }) => c, 'could not be accepted'],
    [
      'an expired token',
      (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 900, exp: Math.floor(Date.now() / 1000) - 300 }),
      'could not be accepted',
    ],
    [
      'a token issued in the future',
      (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) + 600 }),
      'could not be accepted',
    ],
    ['a token for another client (aud)', (c) => ({ ...c, aud: 'other-client' }), 'could not be accepted'],
    ['a token from another issuer', (c) => ({ ...c, iss: 'https://evil.example' }), 'could not be accepted'],
    ['an unknown acr', (c) => ({ ...c, acr: 'idporten-loa-low' }), 'lower security level'],
    ['no pid', ({ pid: _p, ...c }) => c, 'did not give a valid national identity number'],
    [
      'an invalid pid',
      (c) => ({ ...c, pid: '01010112345' }),
      'did not give a valid national identity number',
    ],
  ];
  for (const [what, change, text] of forgeries) {
    it(`refuses an id_token with ${what}`, async () => {
      oidc.rewriteIdToken = (claims, sign) => sign(change(claims));
      const { jar, callback } = await answeredLogin();
      await expectRefused(await jar.fetch(callback, { headers: english }), 403, text);
    });
  }

  it('refuses an id_token signed by another key (under the provider’s key id)', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    oidc.rewriteIdToken = (claims, sign) => sign(claims, other);
    const { jar, callback } = await answeredLogin();
    await expectRefused(await jar.fetch(callback, { headers: english }), 403, 'could not be accepted');
    // The same claims under the provider's own key pass: the refusal was the signature's.
    oidc.rewriteIdToken = (claims, sign) => sign(claims);
    const again = await answeredLogin();
    expect((await again.jar.fetch(again.callback)).status).toBe(303);
  });
});

describe('after login, only paths of this service', () => {
  const cases: [string, string][] = [
    ['/%09/evil.example', '/portal'],
    ['/%0a/x', '/portal'],
    ['//evil.example/x', '/portal'],
    ['/\\evil.example', '/portal'],
    ['https://evil.example/', '/portal'],
    ['/%2509/evil.example', '/portal'],
    ['/sender%3Fx%3D1%23top', '/sender?x=1#top'],
  ];
  for (const [next, landing] of cases) {
    it(`sends the browser to ${landing} for next=${next}`, async () => {
      const start = await fetch(`${baseUrl}/login?next=${next}`, { redirect: 'manual' });
      expect(start.status).toBe(302);
      const jar = new CookieJar();
      const hop = await loginThroughProvider(jar, `${baseUrl}/login?next=${next}&level=4`, kari.pid, 4, {
        stopAtCallback: true,
      });
      const back = await jar.fetch(hop.url);
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe(landing);
    });
  }
});

describe('key rotation at the provider', () => {
  it('picks up a new signing key from the JWKS once its copy is a minute old', async () => {
    const port = await freePort();
    const clients = [localClientFor(baseUrl)];
    let provider = await startLocalOidcProvider({ port, clients });
    const eid = await createEidProvider(localProviderEnv(provider.issuer));
    const app = pagesApp(eid);
    const login = async () => {
      const jar = new CookieJar();
      const start = await app.request('/login?level=4');
      const tx = /esign_login=([^;]+)/.exec(start.headers.get('set-cookie') ?? '')![1]!;
      const hop = await loginThroughProvider(jar, start.headers.get('location')!, kari.pid, 4, {
        stopAtCallback: true,
      });
      const back = await app.request(`${new URL(hop.url).pathname}${new URL(hop.url).search}`, {
        headers: { cookie: `esign_login=${tx}` },
      });
      return back.status;
    };
    try {
      expect(await login()).toBe(303);
      // The provider now signs with a new key (a new key id) that the service has not seen.
      await provider.close();
      provider = await startLocalOidcProvider({ port, clients });
      // Within the minute the service keeps its copy of the keys: the unknown key is refused...
      expect(await login()).toBe(403);
      // ...and read afresh once the copy is older.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      expect(await login()).toBe(303);
    } finally {
      vi.useRealTimers();
      await provider.close();
    }
  });
});

describe('a provider that stops answering', () => {
  it('shows a page saying the login service does not answer, and writes nothing', async () => {
    const port = await freePort();
    const gone = await startLocalOidcProvider({ port, clients: [localClientFor(baseUrl)] });
    const eid = await createEidProvider(localProviderEnv(gone.issuer));
    await gone.close();
    const app = pagesApp(eid);
    const res = await app.request('/login?next=/portal', { headers: english });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The login service does not answer');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessionRows()).toEqual([]);
  });
});

describe('configuration', () => {
  it('names the missing variables', async () => {
    await expect(createEidProvider({})).rejects.toThrow(EidConfigError);
    await expect(createEidProvider({})).rejects.toThrow(
      /OIDC_ISSUER: missing[\s\S]*OIDC_CLIENT_ID: missing[\s\S]*OIDC_CLIENT_SECRET or OIDC_CLIENT_PRIVATE_KEY_FILE: missing/,
    );
    await expect(
      createEidProvider({ ...localProviderEnv('http://login.example'), EID_PROVIDER: 'saml' }),
    ).rejects.toThrow(/EID_PROVIDER: unknown provider "saml"[\s\S]*OIDC_ISSUER: must be an https:\/\/ URL/);
  });

  it('names OIDC_ISSUER when the issuer cannot be reached or lacks what the login needs', async () => {
    const port = await freePort();
    await expect(createEidProvider(localProviderEnv(`http://127.0.0.1:${port}`))).rejects.toThrow(
      OidcSetupError,
    );
    await expect(createEidProvider(localProviderEnv(`http://127.0.0.1:${port}`))).rejects.toThrow(
      /^OIDC_ISSUER: discovery at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration failed/,
    );
    await expect(
      createEidProvider({ ...localProviderEnv(oidc.issuer), OIDC_ACR_LEVEL4: 'eidas-loa-high' }),
    ).rejects.toThrow(/OIDC_ISSUER: .* does not offer acr "eidas-loa-high"/);
  });

  it('authenticates with private_key_jwt from a key file', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = 'client-key-1';
    const file = join(tmpdir(), `oidc-client-${process.pid}.jwk`);
    await writeFile(file, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid }));
    const keyed = await startLocalOidcProvider({
      port: 0,
      clients: [
        {
          clientId: 'keyed-client',
          jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
          redirectUris: [`${baseUrl}/login/callback`],
          postLogoutRedirectUris: [],
        },
      ],
    });
    try {
      const eid = await createEidProvider({
        OIDC_ISSUER: keyed.issuer,
        OIDC_CLIENT_ID: 'keyed-client',
        OIDC_CLIENT_PRIVATE_KEY_FILE: file,
      });
      // Through the provider's pages, with the library's own callback handling.
      const start = await eid.startLogin({ minimumLevel: 4, callbackUrl: `${baseUrl}/login/callback` });
      const jar = new CookieJar();
      const hop = await loginThroughProvider(jar, start.url, kari.pid, 4, { stopAtCallback: true });
      const result = await eid.finishLogin(new URL(hop.url), { ...start.secrets, minimumLevel: 4 });
      expect(result).toMatchObject({ ok: true, identity: { pid: kari.pid, level: 4, amr: ['TestID'] } });
      // The same key file refused by a provider that does not know the key.
      const unknown = await createEidProvider({
        OIDC_ISSUER: oidc.issuer,
        OIDC_CLIENT_ID: 'esign-local',
        OIDC_CLIENT_PRIVATE_KEY_FILE: file,
      });
      const second = await unknown
        .startLogin({ minimumLevel: 4, callbackUrl: `${baseUrl}/login/callback` })
        .then(
          () => 'started',
          (err: Error) => err.message,
        );
      // PAR authenticates the client: an unregistered key is refused before any login.
      expect(second).not.toBe('started');
    } finally {
      await keyed.close();
    }
  });
});
