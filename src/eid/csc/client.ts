/**
 * A client of one remote signing service over the Cloud Signature Consortium API v2: the person's
 * key stays at the provider, which signs a digest after the person approves it there.
 *
 *   1. service token: OAuth 2.0 client credentials (scope `service`), kept until it expires;
 *   2. `credentials/list` by the person's identity number (`userID`), then `credentials/info`
 *      with the certificate chain; the certificate must name that identity number;
 *   3. the person approves the digest at `oauth2/authorize` (scope `credential`, with
 *      `credentialID`, `numSignatures`, `hashes`, `hashAlgorithmOID`, PKCE S256 and `state`);
 *   4. the code is exchanged for a token of that credential, and `signatures/signHash` signs;
 *      the signature value must verify with the certificate over the very digest approved.
 *
 * Every answer is read with a size limit and a timeout and validated before use; failures are
 * `CscError`s saying which step failed, for the page the person sees.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import {
  createHash,
  createPublicKey,
  constants as cryptoConstants,
  publicDecrypt,
  randomBytes,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import '../../signing/engines.js';

export const SHA256_OID = '2.16.840.1.101.3.4.2.1';
export const RSA_SHA256_OID = '1.2.840.113549.1.1.11';
/** The DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export interface CscProviderConfig {
  /** The provider's name as the price list and the signature page show it: "BankID", "Buypass". */
  name: string;
  /** The base URL: the API is at `<baseUrl>/csc/v2`, OAuth at the `oauth2` URL `info` names. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The provider's CA as a PEM file, trusted by the verifier (read at start-up by the runtime). */
  caFile?: string;
}

export interface CscClientOptions {
  /** Time for one request to the provider, answer included (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Which step went wrong: the page the person sees says so, and the signer stays waiting. */
export type CscFailure =
  | 'unavailable'
  | 'refused'
  | 'no-credential'
  | 'wrong-person'
  | 'wrong-signature'
  | 'protocol';

export class CscError extends Error {
  constructor(
    readonly failure: CscFailure,
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'CscError';
  }
}

/** The person's signing credential at the provider: its id, certificate and issuer chain. */
export interface CscCredential {
  provider: string;
  credentialId: string;
  certificate: x509.X509Certificate;
  chain: x509.X509Certificate[];
}

export interface CscApproval {
  /** Where to send the person's browser to approve. */
  url: string;
  /** Kept by the service until the callback: the PKCE verifier of this approval. */
  codeVerifier: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_CERTIFICATES = 10;

const base64 = z
  .string()
  .max(16 * 1024)
  .regex(/^[A-Za-z0-9+/=\r\n]+$/, 'not base64');

const infoSchema = z.object({
  specs: z.string().max(20),
  name: z.string().max(200),
  authType: z.array(z.string().max(50)).max(20),
  oauth2: z.string().url().max(2000).optional(),
  methods: z.array(z.string().max(100)).max(100),
});
const tokenSchema = z.object({
  access_token: z.string().min(1).max(4096),
  token_type: z.string().max(50),
  expires_in: z.number().int().positive().max(86_400).optional(),
});
const listSchema = z.object({ credentialIDs: z.array(z.string().min(1).max(255)).max(100) });
const credentialInfoSchema = z.object({
  key: z.object({ status: z.string().max(20), algo: z.array(z.string().max(100)).max(20) }),
  cert: z.object({
    status: z.string().max(20).optional(),
    certificates: z.array(base64).min(1).max(MAX_CERTIFICATES),
  }),
});
const signHashSchema = z.object({ signatures: z.array(base64).min(1).max(10) });
const errorSchema = z.object({
  error: z.string().max(100),
  error_description: z.string().max(500).optional(),
});

/** The identity number a Norwegian personal certificate carries (serialNumber `UN:NO-<pid>`). */
export function identityNumberOf(certificate: x509.X509Certificate): string | undefined {
  const serial = certificate.subjectName.getField('2.5.4.5').find((v) => v.startsWith('UN:NO-'));
  return serial?.slice('UN:NO-'.length);
}

/**
 * Whether `signature` is the certificate's RSA PKCS#1 v1.5 signature over exactly `digest`
 * (SHA-256): the provider signed what the person approved, with the key of that certificate.
 */
export function signsDigest(
  certificate: x509.X509Certificate,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const recovered = publicDecrypt(
      {
        key: createPublicKey({
          key: Buffer.from(certificate.publicKey.rawData),
          format: 'der',
          type: 'spki',
        }),
        padding: cryptoConstants.RSA_PKCS1_PADDING,
      },
      signature,
    );
    return recovered.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
  } catch {
    return false;
  }
}

export function createCscClient(config: CscProviderConfig, options: CscClientOptions = {}) {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = config.baseUrl.replace(/\/+$/, '');
  let oauthBase: Promise<string> | undefined;
  let serviceToken: { token: string; until: number } | undefined;

  const fail = (failure: CscFailure, message: string, cause?: unknown) =>
    new CscError(failure, config.name, message, cause === undefined ? undefined : { cause });

  /** One request: JSON in, the answer validated by `schema`; errors name the method. */
  async function call<T>(
    method: string,
    url: string,
    init: { json?: unknown; form?: Record<string, string>; bearer?: string },
    schema: z.ZodType<T>,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await readLimited(res);
    } catch (err) {
      throw fail(
        'unavailable',
        `${method} could not be read: unreachable, no answer in time, or too large`,
        err,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw fail('protocol', `${method} answered ${res.status} without JSON`);
    }
    if (!res.ok) {
      const e = errorSchema.safeParse(parsed);
      const reason = e.success
        ? `${e.data.error}${e.data.error_description ? `: ${e.data.error_description}` : ''}`
        : '';
      throw fail(
        res.status >= 500 ? 'unavailable' : 'protocol',
        `${method} answered ${res.status} ${reason}`.trim(),
      );
    }
    const valid = schema.safeParse(parsed);
    if (!valid.success) {
      const field = valid.error.issues[0]?.path.join('.') || 'body';
      throw fail('protocol', `${method} answered with a bad ${field}`);
    }
    return valid.data;
  }

  function oauth(): Promise<string> {
    oauthBase ??= call('info', `${base}/csc/v2/info`, { json: {} }, infoSchema)
      .then((info) => {
        if (!info.authType.includes('oauth2code'))
          throw fail('protocol', 'info offers no oauth2code authorization');
        return (info.oauth2 ?? base).replace(/\/+$/, '');
      })
      .catch((err) => {
        oauthBase = undefined;
        throw err;
      });
    return oauthBase;
  }

  async function service(): Promise<string> {
    if (serviceToken && serviceToken.until > Date.now()) return serviceToken.token;
    const t = await call(
      'oauth2/token (client credentials)',
      `${await oauth()}/oauth2/token`,
      {
        form: {
          grant_type: 'client_credentials',
          scope: 'service',
          client_id: config.clientId,
          client_secret: config.clientSecret,
        },
      },
      tokenSchema,
    );
    // A minute's margin so a token never expires between the check and the call.
    serviceToken = { token: t.access_token, until: Date.now() + ((t.expires_in ?? 300) - 60) * 1000 };
    return t.access_token;
  }

  /** The person's credential, its certificate naming `pid` (else `wrong-person`). */
  async function credentialOf(pid: string): Promise<CscCredential> {
    const token = await service();
    const list = await call(
      'credentials/list',
      `${base}/csc/v2/credentials/list`,
      { json: { userID: pid }, bearer: token },
      listSchema,
    );
    const credentialId = list.credentialIDs[0];
    if (!credentialId) throw fail('no-credential', 'the person has no signing credential here');
    const info = await call(
      'credentials/info',
      `${base}/csc/v2/credentials/info`,
      {
        json: { credentialID: credentialId, certificates: 'chain', certInfo: true, authInfo: true },
        bearer: token,
      },
      credentialInfoSchema,
    );
    let certificates: x509.X509Certificate[];
    try {
      certificates = info.cert.certificates.map((c) => new x509.X509Certificate(Buffer.from(c, 'base64')));
    } catch (err) {
      throw fail('protocol', 'credentials/info answered with a certificate that cannot be read', err);
    }
    const [certificate, ...chain] = certificates;
    if (!certificate) throw fail('protocol', 'credentials/info answered without a certificate');
    if (identityNumberOf(certificate) !== pid) {
      throw fail('wrong-person', 'the signing certificate belongs to another person');
    }
    if (info.key.status !== 'enabled' || !info.key.algo.includes(RSA_SHA256_OID)) {
      throw fail('no-credential', 'the signing key is disabled or cannot sign RSA with SHA-256');
    }
    return { provider: config.name, credentialId, certificate, chain };
  }

  /** The URL at which the person approves `digest` for this credential, and the PKCE verifier. */
  async function approval(input: {
    credential: CscCredential;
    digest: Uint8Array;
    redirectUri: string;
    state: string;
    description: string;
  }): Promise<CscApproval> {
    const codeVerifier = randomBytes(32).toString('base64url');
    const url = new URL(`${await oauth()}/oauth2/authorize`);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: input.redirectUri,
      scope: 'credential',
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: input.state,
      credentialID: input.credential.credentialId,
      numSignatures: '1',
      hashes: Buffer.from(input.digest).toString('base64url'),
      hashAlgorithmOID: SHA256_OID,
      description: input.description.slice(0, 500),
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { url: url.toString(), codeVerifier };
  }

  /**
   * After the person approved: the code exchanged for a token of the credential, `signHash`, and
   * the signature value checked against the digest and certificate before it is returned.
   */
  async function signDigest(input: {
    credential: CscCredential;
    digest: Uint8Array;
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<Uint8Array> {
    const t = await call(
      'oauth2/token',
      `${await oauth()}/oauth2/token`,
      {
        form: {
          grant_type: 'authorization_code',
          code: input.code,
          code_verifier: input.codeVerifier,
          redirect_uri: input.redirectUri,
          client_id: config.clientId,
          client_secret: config.clientSecret,
        },
      },
      tokenSchema,
    );
    const signed = await call(
      'signatures/signHash',
      `${base}/csc/v2/signatures/signHash`,
      {
        json: {
          credentialID: input.credential.credentialId,
          hashes: [Buffer.from(input.digest).toString('base64')],
          hashAlgorithmOID: SHA256_OID,
          signAlgo: RSA_SHA256_OID,
        },
        bearer: t.access_token,
      },
      signHashSchema,
    );
    const signature = new Uint8Array(Buffer.from(signed.signatures[0]!, 'base64'));
    if (!signsDigest(input.credential.certificate, input.digest, signature)) {
      throw fail(
        'wrong-signature',
        'the signature returned does not sign the approved digest with the certificate',
      );
    }
    return signature;
  }

  /** Where the person's browser is sent (the approval page): for the pages' form-action. */
  const origins = [new URL(base).origin];
  return { name: config.name, origins, credentialOf, approval, signDigest };
}

export type CscClient = ReturnType<typeof createCscClient>;

/**
 * The person came back from the provider: `refused` when they refused there (or the provider
 * reports any other authorization error), else the code.
 */
export function approvalOutcome(
  provider: string,
  query: { code?: string; error?: string },
): { code: string } {
  if (query.error)
    throw new CscError('refused', provider, `approval not given (${query.error.slice(0, 100)})`);
  if (!query.code || query.code.length > 2048)
    throw new CscError('protocol', provider, 'no authorization code');
  return { code: query.code };
}

async function readLimited(res: Response): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > MAX_RESPONSE_BYTES) {
    await res.body?.cancel();
    throw new Error('answer too large');
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error('answer too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
