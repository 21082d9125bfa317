/**
 * A local remote-signing service speaking the Cloud Signature Consortium API v2, for development
 * and tests (never started in production): the shape of what BankID or Buypass offer for
 * advanced signatures, where the person's key never leaves the provider.
 *
 * - Its own CA, named after the provider ("BankID (local test CA)"), with an empty CRL served at
 *   `/pki/ca.crl` and its certificate at `/pki/ca.cer` (and `/pki/ca.pem`, for the trust setting).
 * - One RSA key and certificate per person, issued on first use; the certificate names the person
 *   as the test eID CA does (serialNumber `UN:NO-<identity number>`, keyUsage nonRepudiation).
 * - `POST /csc/v2/info`, `/csc/v2/credentials/list` (by `userID`, under a service token got with
 *   the client-credentials grant), `/csc/v2/credentials/info`, `/csc/v2/signatures/signHash`
 *   (under a credential token: only the hashes the person approved, as often as approved).
 * - OAuth 2.0: `GET /oauth2/authorize` (scope `credential`, PKCE S256 required, `state`): a page
 *   showing the person, the purpose and the digests, with Approve / Refuse; `POST /oauth2/token`.
 *
 * Anyone can approve for anyone, as on the local login provider. Tests steer failures through
 * `behaviour`. State lives in memory.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import {
  createHash,
  constants as cryptoConstants,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import * as x509 from '@peculiar/x509';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { cscVariablePrefix } from '../eid/csc/config.js';
import { REMOTE_SIGNING_CALLBACK_PATH } from '../eid/csc/paths.js';
import { testEidName } from '../notifications/dev-register-seed.js';
import { testPopulation } from '../notifications/test-population.js';
import { validatePersonalIdentificationNumber } from '../rules/identity.js';
import { signCrl } from '../signing/crl.js';
import { crypto } from '../signing/engines.js';
import { generateKeyPair, signParams } from '../signing/keys.js';
import { randomSerial } from '../signing/pki.js';

/** A client the provider knows: the e-signing service registered there. */
export interface LocalCscClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/**
 * Test hooks: `refuse` answers every approval with access_denied; `hang` never answers signHash
 * (the client's timeout must end it); `other-person` hands out another person's certificate in
 * credentials/info; `wrong-digest` signs something else than the approved digest.
 */
export type LocalCscBehaviour = 'normal' | 'refuse' | 'hang' | 'other-person' | 'wrong-digest';

export interface LocalCscOptions {
  port: number;
  host?: string;
  /** The provider's name, as the price list knows it: "BankID", "Buypass". */
  providerName: string;
  clients: LocalCscClient[];
}

export interface LocalCscProvider {
  /** The base URL: the CSC API is under `<baseUrl>/csc/v2`, OAuth under `<baseUrl>/oauth2`. */
  baseUrl: string;
  providerName: string;
  /** The provider's CA: what a relying party trusts for this provider's signatures. */
  caCertificate: x509.X509Certificate;
  behaviour: LocalCscBehaviour;
  close(): Promise<void>;
}

/** The client the local providers register for the service by default (development only). */
export const LOCAL_CSC_CLIENT = { clientId: 'esign-local', clientSecret: 'local-csc-secret' } as const;

/** The providers `npm run dev` and the cluster start for SIGNING_KEYS=csc: the seed's price list. */
export const LOCAL_CSC_PROVIDER_NAMES = ['BankID', 'Buypass'] as const;

/** The service's client at a local provider, given the service's PUBLIC_URL. */
export function localCscClientFor(publicUrl: string): LocalCscClient {
  return {
    ...LOCAL_CSC_CLIENT,
    redirectUris: [`${publicUrl.replace(/\/+$/, '')}${REMOTE_SIGNING_CALLBACK_PATH}`],
  };
}

/** The service's SIGNING_KEYS=csc variables for signing at these local providers. */
export function localCscEnv(providers: { providerName: string; baseUrl: string }[]): Record<string, string> {
  const env: Record<string, string> = {
    SIGNING_KEYS: 'csc',
    CSC_PROVIDERS: providers.map((p) => p.providerName).join(','),
  };
  for (const p of providers) {
    const prefix = cscVariablePrefix(p.providerName);
    env[`${prefix}URL`] = p.baseUrl;
    env[`${prefix}CLIENT_ID`] = LOCAL_CSC_CLIENT.clientId;
    env[`${prefix}CLIENT_SECRET`] = LOCAL_CSC_CLIENT.clientSecret;
  }
  return env;
}

export const SHA256_OID = '2.16.840.1.101.3.4.2.1';
export const RSA_SHA256_OID = '1.2.840.113549.1.1.11';
/** The DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const CODE_TTL_MS = 60_000;
const TOKEN_TTL_MS = 300_000;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_HASHES = 10;
/** Codes, tokens and approvals kept at once: a flood of authorizations cannot grow memory. */
const MAX_PENDING = 10_000;

const YEAR_MS = 365 * 24 * 3600 * 1000;
const BACKDATE_MS = 3600_000;
const OID = {
  cn: '2.5.4.3',
  serialNumber: '2.5.4.5',
  c: '2.5.4.6',
  o: '2.5.4.10',
  gn: '2.5.4.42',
  sn: '2.5.4.4',
};

interface Credential {
  id: string;
  pid: string;
  name: string;
  certificate: x509.X509Certificate;
  privateKey: KeyObject;
}

interface Approval {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  credentialId: string;
  hashes: string[];
  numSignatures: number;
  state: string;
  expires: number;
}

interface AccessToken {
  clientId: string;
  scope: 'service' | 'credential';
  credentialId?: string;
  hashes?: string[];
  signaturesLeft?: number;
  expires: number;
}

const b64url = (b: Buffer) => b.toString('base64url');
const fromB64url = (s: string) => Buffer.from(s, 'base64url');

export async function startLocalCscProvider(options: LocalCscOptions): Promise<LocalCscProvider> {
  const host = options.host ?? '127.0.0.1';
  const name = options.providerName;
  const app = new Hono();
  let baseUrl = '';

  const caKeys = await generateKeyPair();
  const caName = `${name} (local test CA)`;
  const now = Date.now();
  const caSubject: x509.JsonName = [{ [OID.c]: ['NO'] }, { [OID.o]: [name] }, { [OID.cn]: [caName] }];
  const caCertificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: caSubject,
    issuer: caSubject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + 10 * YEAR_MS),
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signParams(caKeys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = { certificate: caCertificate, privateKey: caKeys.privateKey };

  const credentials = new Map<string, Promise<Credential>>();
  const approvals = new Map<string, Approval>();
  const codes = new Map<string, Approval>();
  const tokens = new Map<string, AccessToken>();
  const hanging = new Set<() => void>();

  const credentialIdOf = (pid: string) =>
    `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${createHash('sha256').update(`csc:${pid}`).digest('hex').slice(0, 20)}`;

  async function issueCredential(pid: string): Promise<Credential> {
    const personName = testEidName(pid);
    // RSA 2048 with PKCS#1 v1.5, what the Norwegian eID providers issue to people.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const webPublic = await crypto.subtle.importKey(
      'spki',
      publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['verify'],
    );
    const parts = personName.trim().split(/\s+/);
    const at = Date.now();
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: [
        { [OID.c]: ['NO'] },
        ...(parts.length > 1
          ? [{ [OID.sn]: [parts[parts.length - 1]!] }, { [OID.gn]: [parts.slice(0, -1).join(' ')] }]
          : []),
        { [OID.cn]: [personName] },
        { [OID.serialNumber]: [`UN:NO-${pid}`] },
      ],
      issuer: caCertificate.subjectName,
      notBefore: new Date(at - BACKDATE_MS),
      notAfter: new Date(at + 2 * YEAR_MS),
      publicKey: webPublic,
      signingKey: caKeys.privateKey,
      signingAlgorithm: signParams(caKeys.privateKey),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
        await x509.SubjectKeyIdentifierExtension.create(webPublic),
        await x509.AuthorityKeyIdentifierExtension.create(caCertificate, false),
        new x509.CRLDistributionPointsExtension([`${baseUrl}/pki/ca.crl`]),
        new x509.AuthorityInfoAccessExtension({ caIssuers: `${baseUrl}/pki/ca.cer` }),
      ],
    });
    return { id: credentialIdOf(pid), pid, name: personName, certificate, privateKey };
  }

  const pidsById = new Map<string, string>();
  function credentialFor(pid: string): Promise<Credential> {
    let c = credentials.get(pid);
    if (!c) {
      c = issueCredential(pid);
      credentials.set(pid, c);
      pidsById.set(credentialIdOf(pid), pid);
    }
    return c;
  }
  const credentialById = (id: string) => {
    const pid = pidsById.get(id);
    return pid ? credentialFor(pid) : undefined;
  };

  /** Drops what has expired, and refuses new entries when a map is full of live ones. */
  function admit<T extends { expires: number }>(map: Map<string, T>): boolean {
    const t = Date.now();
    for (const [k, v] of map) if (v.expires < t) map.delete(k);
    return map.size < MAX_PENDING;
  }

  const cscError = (c: Context, status: 400 | 401 | 404, error: string, description: string) =>
    c.json({ error, error_description: description }, status);

  async function jsonBody(c: Context): Promise<unknown> {
    if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES) return undefined;
    const text = await c.req.text();
    if (text.length > MAX_BODY_BYTES) return undefined;
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return undefined;
    }
  }

  function bearer(c: Context): AccessToken | undefined {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header);
    const token = m ? tokens.get(m[1]!) : undefined;
    return token && token.expires > Date.now() ? token : undefined;
  }

  function clientFromRequest(id: string | undefined, secret: string | undefined): LocalCscClient | undefined {
    const client = options.clients.find((k) => k.clientId === id);
    if (!client || secret === undefined) return undefined;
    const a = Buffer.from(secret);
    const b = Buffer.from(client.clientSecret);
    return a.length === b.length && timingSafeEqual(a, b) ? client : undefined;
  }

  app.get('/pki/ca.cer', (c) =>
    c.body(new Uint8Array(caCertificate.rawData), 200, { 'content-type': 'application/pkix-cert' }),
  );
  app.get('/pki/ca.pem', (c) =>
    c.body(caCertificate.toString('pem'), 200, { 'content-type': 'application/x-pem-file' }),
  );
  app.get('/pki/ca.crl', async (c) =>
    c.body(new Uint8Array(await signCrl(ca, new Date())), 200, { 'content-type': 'application/pkix-crl' }),
  );

  app.post('/csc/v2/info', (c) =>
    c.json({
      specs: '2.0.0.2',
      name,
      logo: `${baseUrl}/logo.png`,
      region: 'NO',
      lang: 'en-US',
      description: `${name}: local remote-signing service for development and tests`,
      authType: ['oauth2client', 'oauth2code'],
      oauth2: baseUrl,
      methods: [
        'credentials/list',
        'credentials/info',
        'signatures/signHash',
        'oauth2/authorize',
        'oauth2/token',
      ],
    }),
  );

  app.post('/csc/v2/credentials/list', async (c) => {
    const token = bearer(c);
    if (token?.scope !== 'service') return cscError(c, 401, 'invalid_token', 'a service token is required');
    const body = z.object({ userID: z.string().max(64) }).safeParse(await jsonBody(c));
    if (!body.success) return cscError(c, 400, 'invalid_request', 'userID is required');
    const pid = body.data.userID;
    if (!validatePersonalIdentificationNumber(pid).ok) return c.json({ credentialIDs: [] });
    return c.json({ credentialIDs: [(await credentialFor(pid)).id] });
  });

  app.post('/csc/v2/credentials/info', async (c) => {
    if (!bearer(c)) return cscError(c, 401, 'invalid_token', 'an access token is required');
    const body = z
      .object({
        credentialID: z.string().max(100),
        certificates: z.enum(['none', 'single', 'chain']).optional(),
      })
      .safeParse(await jsonBody(c));
    if (!body.success) return cscError(c, 400, 'invalid_request', 'credentialID is required');
    let credential = await credentialById(body.data.credentialID);
    if (!credential) return cscError(c, 400, 'invalid_request', 'unknown credentialID');
    if (provider.behaviour === 'other-person') {
      const [first, second] = testPopulation;
      credential = await credentialFor(credential.pid === first!.pid ? second!.pid : first!.pid);
    }
    const wanted = body.data.certificates ?? 'single';
    const certs =
      wanted === 'none'
        ? []
        : wanted === 'single'
          ? [credential.certificate]
          : [credential.certificate, caCertificate];
    return c.json({
      description: `${name} personal signing key`,
      key: { status: 'enabled', algo: [RSA_SHA256_OID], len: 2048 },
      cert: {
        status: 'valid',
        certificates: certs.map((x) => Buffer.from(x.rawData).toString('base64')),
        issuerDN: credential.certificate.issuer,
        serialNumber: credential.certificate.serialNumber,
        subjectDN: credential.certificate.subject,
      },
      auth: { mode: 'oauth2code' },
      multisign: 1,
      lang: 'en-US',
    });
  });

  app.get('/oauth2/authorize', async (c) => {
    const q = z
      .object({
        response_type: z.literal('code'),
        client_id: z.string().max(200),
        redirect_uri: z.string().url().max(2000),
        scope: z.literal('credential'),
        code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43,128}$/),
        code_challenge_method: z.literal('S256'),
        state: z.string().min(8).max(200),
        credentialID: z.string().max(100),
        numSignatures: z.coerce.number().int().min(1).max(MAX_HASHES),
        hashes: z.string().max(MAX_HASHES * 50),
        hashAlgorithmOID: z.literal(SHA256_OID),
        description: z.string().max(500).optional(),
      })
      .safeParse(c.req.query());
    if (!q.success) {
      const field = String(q.error.issues[0]?.path[0] ?? 'request');
      return c.text(`invalid authorization request: ${field}`, 400);
    }
    const r = q.data;
    const client = options.clients.find((k) => k.clientId === r.client_id);
    if (!client?.redirectUris.includes(r.redirect_uri)) {
      return c.text('invalid authorization request: client_id or redirect_uri', 400);
    }
    const hashes = r.hashes.split(',');
    if (hashes.length !== r.numSignatures || !hashes.every((h) => /^[A-Za-z0-9_-]{43}$/.test(h))) {
      return c.text('invalid authorization request: hashes', 400);
    }
    const credential = await credentialById(r.credentialID);
    if (!credential) return c.text('invalid authorization request: credentialID', 400);
    if (!admit(approvals)) return c.text('busy', 503);
    const approval: Approval = {
      clientId: r.client_id,
      redirectUri: r.redirect_uri,
      codeChallenge: r.code_challenge,
      credentialId: r.credentialID,
      hashes,
      numSignatures: r.numSignatures,
      state: r.state,
      expires: Date.now() + 600_000,
    };
    const id = b64url(randomBytes(24));
    approvals.set(id, approval);
    if (provider.behaviour === 'refuse') return c.redirect(decisionUrl(approval, 'refuse', ''), 302);
    return c.html(html`<!doctype html>
      <html lang="en">
        <head><meta charset="utf-8" /><title>${name}: approve a signature</title></head>
        <body>
          <main>
            <h1>${name}</h1>
            <p>Signing as <strong data-testid="csc-person">${credential.name}</strong></p>
            <p data-testid="csc-purpose">${r.description ?? 'A signature requested by a service'}</p>
            <p>Digest (SHA-256) to sign:</p>
            <ul>${hashes.map((h) => html`<li><code>${fromB64url(h).toString('hex')}</code></li>`)}</ul>
            <form method="post" action="/oauth2/decide">
              <input type="hidden" name="approval" value="${id}" />
              <button type="submit" name="decision" value="approve">Approve</button>
              <button type="submit" name="decision" value="refuse">Refuse</button>
            </form>
          </main>
        </body>
      </html>`);
  });

  function decisionUrl(approval: Approval, decision: 'approve' | 'refuse', code: string): string {
    const back = new URL(approval.redirectUri);
    if (decision === 'approve') back.searchParams.set('code', code);
    else {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'the person refused to sign');
    }
    back.searchParams.set('state', approval.state);
    return back.toString();
  }

  app.post('/oauth2/decide', async (c) => {
    const form = await c.req.parseBody();
    const id = typeof form.approval === 'string' ? form.approval : '';
    const approval = approvals.get(id);
    approvals.delete(id);
    if (!approval || approval.expires < Date.now()) return c.text('this approval has expired', 400);
    if (form.decision !== 'approve') return c.redirect(decisionUrl(approval, 'refuse', ''), 303);
    if (!admit(codes)) return c.text('busy', 503);
    const code = b64url(randomBytes(24));
    codes.set(code, { ...approval, expires: Date.now() + CODE_TTL_MS });
    return c.redirect(decisionUrl(approval, 'approve', code), 303);
  });

  app.post('/oauth2/token', async (c) => {
    const form = await c.req.parseBody();
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
    let id = str('client_id');
    let secret = str('client_secret');
    const basic = /^Basic (.+)$/.exec(c.req.header('authorization') ?? '');
    if (basic) {
      const [u, p] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    const client = clientFromRequest(id, secret);
    if (!client) return c.json({ error: 'invalid_client' }, 401);
    if (!admit(tokens)) return c.json({ error: 'temporarily_unavailable' }, 503);
    const grant = str('grant_type');
    const accessToken = b64url(randomBytes(32));
    if (grant === 'client_credentials') {
      tokens.set(accessToken, {
        clientId: client.clientId,
        scope: 'service',
        expires: Date.now() + TOKEN_TTL_MS,
      });
      return c.json({ access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_MS / 1000 });
    }
    if (grant !== 'authorization_code') return c.json({ error: 'unsupported_grant_type' }, 400);
    const code = str('code') ?? '';
    const approval = codes.get(code);
    codes.delete(code);
    const verifier = str('code_verifier') ?? '';
    if (
      !approval ||
      approval.expires < Date.now() ||
      approval.clientId !== client.clientId ||
      approval.redirectUri !== str('redirect_uri') ||
      b64url(createHash('sha256').update(verifier).digest()) !== approval.codeChallenge
    ) {
      return c.json({ error: 'invalid_grant' }, 400);
    }
    tokens.set(accessToken, {
      clientId: client.clientId,
      scope: 'credential',
      credentialId: approval.credentialId,
      hashes: approval.hashes,
      signaturesLeft: approval.numSignatures,
      expires: Date.now() + TOKEN_TTL_MS,
    });
    return c.json({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_TTL_MS / 1000,
      credentialID: approval.credentialId,
    });
  });

  app.post('/csc/v2/signatures/signHash', async (c) => {
    const token = bearer(c);
    if (token?.scope !== 'credential') {
      return cscError(c, 401, 'invalid_token', 'a credential token is required');
    }
    const body = z
      .object({
        credentialID: z.string().max(100),
        hashes: z.array(z.string().max(100)).min(1).max(MAX_HASHES),
        hashAlgorithmOID: z.literal(SHA256_OID),
        signAlgo: z.literal(RSA_SHA256_OID),
      })
      .safeParse(await jsonBody(c));
    if (!body.success) {
      return cscError(c, 400, 'invalid_request', `bad ${String(body.error.issues[0]?.path[0] ?? 'request')}`);
    }
    const r = body.data;
    // The CSC API sends hashes base64 (standard) here and base64url in authorize: compare bytes.
    const approved = new Set((token.hashes ?? []).map((h) => fromB64url(h).toString('hex')));
    if (
      r.credentialID !== token.credentialId ||
      (token.signaturesLeft ?? 0) < r.hashes.length ||
      !r.hashes.every((h) => approved.has(Buffer.from(h, 'base64').toString('hex')))
    ) {
      return cscError(c, 400, 'invalid_request', 'the hashes or credential were not approved');
    }
    const credential = await credentialById(r.credentialID);
    if (!credential) return cscError(c, 400, 'invalid_request', 'unknown credentialID');
    if (provider.behaviour === 'hang') {
      await new Promise<void>((resolve) => hanging.add(resolve));
      return c.body(null, 503);
    }
    token.signaturesLeft = (token.signaturesLeft ?? 0) - r.hashes.length;
    const signatures = r.hashes.map((h) => {
      const digest =
        provider.behaviour === 'wrong-digest'
          ? createHash('sha256').update(Buffer.from(h, 'base64')).digest()
          : Buffer.from(h, 'base64');
      return privateEncrypt(
        { key: credential.privateKey, padding: cryptoConstants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGEST_INFO, digest]),
      ).toString('base64');
    });
    return c.json({ signatures });
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const provider: LocalCscProvider = {
    baseUrl,
    providerName: name,
    caCertificate,
    behaviour: 'normal',
    close: async () => {
      for (const release of hanging) release();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
  return provider;
}
