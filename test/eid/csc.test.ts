/**
 * Remote signing over the CSC API v2 against the local provider (a real HTTP server): the
 * person's credential and certificate, the approval in the provider's page, signHash, and the
 * signer's XAdES built around the signed digest, valid in our verifier and xmlsec1, chained to
 * the provider's CA. Each way the provider can fail is a `CscError` naming the step.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  LOCAL_CSC_CLIENT,
  type LocalCscProvider,
  localCscEnv,
  startLocalCscProvider,
} from '../../src/dev/csc-provider.js';
import {
  approvalOutcome,
  CscError,
  type CscFailure,
  createCscClient,
  identityNumberOf,
  signsDigest,
} from '../../src/eid/csc/client.js';
import { cscProvidersFromEnv } from '../../src/eid/csc/config.js';
import { createSigningKeys, RemoteSigningRequiredError } from '../../src/eid/signing-keys.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import {
  completeRemoteSignerXades,
  createPki,
  createTimeStamper,
  type Pki,
  prepareRemoteSignerXades,
  verifyXades,
} from '../../src/signing/index.js';
import { requireTools, run, scratchDir, writeTemp } from '../signing/validators.js';

const REDIRECT = 'http://127.0.0.1:1/sign/remote/callback';
const client = { clientId: 'esign-test', clientSecret: 'csc-test-secret', redirectUris: [REDIRECT] };
const kari = testPopulation[0]!;
const ola = testPopulation[1]!;
const document = new TextEncoder().encode('We agree on the sale of the boat.');

let provider: LocalCscProvider;
let pki: Pki;
beforeAll(async () => {
  [provider, pki] = await Promise.all([
    startLocalCscProvider({ port: 0, providerName: 'BankID', clients: [client] }),
    createPki(),
  ]);
});
afterAll(async () => provider?.close());
afterEach(() => {
  provider.behaviour = 'normal';
});

const cscClient = (timeoutMs?: number) =>
  createCscClient(
    {
      name: 'BankID',
      baseUrl: provider.baseUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    },
    timeoutMs ? { timeoutMs } : {},
  );

const signer = (person: { pid: string; name: string }) => ({
  name: person.name,
  personalIdentificationNumber: person.pid,
  signatureType: 'ADVANCED_SIGNATURE' as const,
  authenticationLevel: 4 as const,
  authenticatedAt: new Date(),
  signedAt: new Date(),
  eidProvider: 'TestID (local)',
});

const documents = [
  {
    title: 'Boat sale',
    fileName: 'boat.txt',
    mimeType: 'text/plain',
    sha256: createHash('sha256').update(document).digest(),
  },
];

/** What the person's browser does at the provider: open the page, press a button, come back. */
async function decideAtProvider(url: string, decision: 'approve' | 'refuse') {
  const page = await fetch(url, { redirect: 'manual' });
  if (page.status === 302) return { page: '', back: new URL(page.headers.get('location')!) };
  expect(page.status).toBe(200);
  const html = await page.text();
  const approval = /name="approval" value="([^"]+)"/.exec(html)?.[1];
  expect(approval).toBeDefined();
  const res = await fetch(new URL('/oauth2/decide', provider.baseUrl), {
    method: 'POST',
    body: new URLSearchParams({ approval: approval!, decision }),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return { page: html, back: new URL(res.headers.get('location')!) };
}

/** Prepares Kari's XAdES and sends her to approve: what the ceremony will do. */
async function approveFor(person = kari, decision: 'approve' | 'refuse' = 'approve') {
  const csc = cscClient(1500);
  const credential = await csc.credentialOf(person.pid);
  const prepared = await prepareRemoteSignerXades({
    jobId: 'job-csc-1',
    documents,
    signer: signer(person),
    pki,
    remote: credential,
  });
  const approval = await csc.approval({
    credential,
    digest: prepared.digest,
    redirectUri: REDIRECT,
    state: 'state-of-this-signing',
    description: 'Sign "Boat sale" for Example AS',
  });
  const { page, back } = await decideAtProvider(approval.url, decision);
  return { csc, credential, prepared, approval, page, back };
}

/** Back from the provider: the code exchanged and signHash called, for `digest` (default: the approved one). */
function signApproved(a: Awaited<ReturnType<typeof approveFor>>, digest = a.prepared.digest) {
  return a.csc.signDigest({
    credential: a.credential,
    digest,
    code: approvalOutcome('BankID', Object.fromEntries(a.back.searchParams)).code,
    codeVerifier: a.approval.codeVerifier,
    redirectUri: REDIRECT,
  });
}

async function expectFailure(p: Promise<unknown>, failure: CscFailure) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CscError);
  expect((err as CscError).failure).toBe(failure);
  expect((err as CscError).provider).toBe('BankID');
}

describe('the local CSC v2 provider and the client', () => {
  it("finds the person's credential: a certificate of the provider's CA naming the identity number", async () => {
    const credential = await cscClient().credentialOf(kari.pid);
    expect(identityNumberOf(credential.certificate)).toBe(kari.pid);
    expect(credential.certificate.subject).toContain(`CN=${kari.name}`);
    expect(credential.certificate.issuer).toBe(provider.caCertificate.subject);
    expect(credential.chain.map((c) => c.subject)).toEqual([provider.caCertificate.subject]);
    expect(credential.certificate.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.nonRepudiation,
    );
    const again = await cscClient().credentialOf(kari.pid);
    expect(again.certificate.serialNumber).toBe(credential.certificate.serialNumber);
    const other = await cscClient().credentialOf(ola.pid);
    expect(other.credentialId).not.toBe(credential.credentialId);
    // The CRL the certificate points to is served, signed by the CA.
    const crl = await fetch(`${provider.baseUrl}/pki/ca.crl`);
    const parsed = new x509.X509Crl(new Uint8Array(await crl.arrayBuffer()));
    expect(parsed.issuer).toBe(provider.caCertificate.subject);
    expect(await parsed.verify({ publicKey: provider.caCertificate.publicKey })).toBe(true);
  });

  it('signs the approved digest: the XAdES validates in our verifier and xmlsec1, chained to the provider CA', async () => {
    requireTools();
    const { csc, credential, prepared, approval, page, back } = await approveFor();
    // The approval page shows who signs, what for, and the digest itself.
    expect(page).toContain(kari.name);
    expect(page).toContain('Sign &quot;Boat sale&quot; for Example AS');
    expect(page).toContain(Buffer.from(prepared.digest).toString('hex'));
    expect(back.searchParams.get('state')).toBe('state-of-this-signing');
    const { code } = approvalOutcome('BankID', Object.fromEntries(back.searchParams));
    const signature = await csc.signDigest({
      credential,
      digest: prepared.digest,
      code,
      codeVerifier: approval.codeVerifier,
      redirectUri: REDIRECT,
    });
    expect(signsDigest(credential.certificate, prepared.digest, signature)).toBe(true);
    const xades = await completeRemoteSignerXades({
      xml: prepared.xml,
      signatureValue: signature,
      remote: credential,
      pki,
      timeStamper: createTimeStamper(pki),
    });

    const anchors = [pki.roots[0]!, provider.caCertificate];
    const report = await verifyXades(xades, anchors, {
      documents: [{ fileName: 'boat.txt', bytes: document }],
    });
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.signatures[0]!.certificateSubject).toBe(kari.name);
    // Only our own root trusted: the person's signature does not chain.
    const untrusted = await verifyXades(xades, [pki.roots[0]!]);
    expect(untrusted.valid).toBe(false);

    const dir = scratchDir('csc');
    const out = run('xmlsec1', [
      '--verify',
      '--trusted-pem',
      writeTemp(dir, 'root.pem', pki.roots[0]!.toString('pem')),
      '--trusted-pem',
      writeTemp(dir, 'provider-ca.pem', provider.caCertificate.toString('pem')),
      writeTemp(dir, 'signature.xml', xades),
    ]);
    expect(out).toMatch(/OK/);
    // The provider CA's CRL, fetched from the certificate's distribution point, is embedded.
    const crlIssuers = [...new TextDecoder().decode(xades).matchAll(/EncapsulatedCRLValue>([^<]+)</g)].map(
      (m) => new x509.X509Crl(Buffer.from(m[1]!, 'base64')).issuer,
    );
    expect(crlIssuers).toContain(provider.caCertificate.subject);
  });

  it('a code is good once, with its PKCE verifier only; signHash signs only what was approved', async () => {
    const { csc, credential, prepared, approval, back } = await approveFor();
    const { code } = approvalOutcome('BankID', Object.fromEntries(back.searchParams));
    const input = { credential, digest: prepared.digest, code, redirectUri: REDIRECT };
    await expectFailure(csc.signDigest({ ...input, codeVerifier: 'x'.repeat(43) }), 'protocol');
    // The failed exchange used the code up, as OAuth 2.0 asks.
    await expectFailure(csc.signDigest({ ...input, codeVerifier: approval.codeVerifier }), 'protocol');

    const second = await approveFor();
    const other = new Uint8Array(createHash('sha256').update('another document').digest());
    await expectFailure(signApproved(second, other), 'protocol');
  });

  it('the person refusing at the provider comes back as `refused`', async () => {
    const { back } = await approveFor(kari, 'refuse');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('state-of-this-signing');
    expect(() => approvalOutcome('BankID', Object.fromEntries(back.searchParams))).toThrow(CscError);
    provider.behaviour = 'refuse';
    const refused = await approveFor();
    expect(refused.back.searchParams.get('error')).toBe('access_denied');
  });

  it('a provider that does not answer signHash times out as `unavailable`', async () => {
    const approved = await approveFor();
    provider.behaviour = 'hang';
    const started = Date.now();
    await expectFailure(signApproved(approved), 'unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("another person's certificate is `wrong-person`", async () => {
    provider.behaviour = 'other-person';
    await expectFailure(cscClient().credentialOf(ola.pid), 'wrong-person');
  });

  it('a signature over another digest is `wrong-signature`', async () => {
    const approved = await approveFor();
    provider.behaviour = 'wrong-digest';
    await expectFailure(signApproved(approved), 'wrong-signature');
  });

  it('an unreachable provider or a wrong client secret fails clearly', async () => {
    const closed = createCscClient({
      name: 'BankID',
      baseUrl: 'http://127.0.0.1:1',
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    });
    await expectFailure(closed.credentialOf(kari.pid), 'unavailable');
    const wrongSecret = createCscClient({
      name: 'BankID',
      baseUrl: provider.baseUrl,
      clientId: client.clientId,
      clientSecret: 'not-the-secret',
    });
    await expectFailure(wrongSecret.credentialOf(kari.pid), 'protocol');
  });

  it('refuses bad authorization requests naming the field', async () => {
    const url = new URL('/oauth2/authorize', provider.baseUrl);
    url.search = new URLSearchParams({ response_type: 'code', client_id: client.clientId }).toString();
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri');
  });
});

describe('configuration of SIGNING_KEYS=csc', () => {
  const base = { DATABASE_URL: 'postgres://x/y', SIGNING_KEYS: 'csc' };

  it('reads each provider from its own variables', () => {
    const config = loadConfig({
      ...base,
      CSC_PROVIDERS: 'BankID, Buypass',
      CSC_BANKID_URL: 'https://csc.bankid.example',
      CSC_BANKID_CLIENT_ID: 'esign',
      CSC_BANKID_CLIENT_SECRET: 's1',
      CSC_BUYPASS_URL: 'https://csc.buypass.example',
      CSC_BUYPASS_CLIENT_ID: 'esign-2',
      CSC_BUYPASS_CLIENT_SECRET: 's2',
      CSC_BUYPASS_CA_FILE: '/etc/esign/buypass-ca.pem',
    });
    expect(config.CSC_PROVIDERS).toEqual([
      { name: 'BankID', baseUrl: 'https://csc.bankid.example', clientId: 'esign', clientSecret: 's1' },
      {
        name: 'Buypass',
        baseUrl: 'https://csc.buypass.example',
        clientId: 'esign-2',
        clientSecret: 's2',
        caFile: '/etc/esign/buypass-ca.pem',
      },
    ]);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).CSC_PROVIDERS).toEqual([]);
  });

  it("the local providers' variables are a valid configuration of themselves", () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x/y', ...localCscEnv([provider]) });
    expect(config.CSC_PROVIDERS).toEqual([
      {
        name: 'BankID',
        baseUrl: provider.baseUrl,
        clientId: LOCAL_CSC_CLIENT.clientId,
        clientSecret: LOCAL_CSC_CLIENT.clientSecret,
      },
    ]);
  });

  it('names every missing or bad variable, never echoing a secret', () => {
    expect(() => loadConfig(base)).toThrow(/CSC_PROVIDERS/);
    const { problems } = cscProvidersFromEnv({
      CSC_PROVIDERS: 'BankID',
      CSC_BANKID_URL: 'ftp://x',
      CSC_BANKID_CLIENT_SECRET: 'x'.repeat(600),
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^CSC_BANKID_URL: .*ftp:\/\/x/);
    expect(problems[1]).toMatch(/^CSC_BANKID_CLIENT_ID: .*missing/);
    expect(problems[2]).toMatch(/^CSC_BANKID_CLIENT_SECRET: .*invalid/);
    expect(problems.join()).not.toContain('xxxx');
    expect(() => loadConfig({ ...base, CSC_PROVIDERS: 'BankID,BankID' })).toThrow(
      /CSC_PROVIDERS: "BankID" .*given twice/,
    );
  });

  it('remote signing hands out no key: the ceremony must ask the provider', async () => {
    const keys = createSigningKeys('csc', {
      db: undefined as never,
      pki,
      cscProviders: [{ name: 'BankID', baseUrl: provider.baseUrl, clientId: 'a', clientSecret: 'b' }],
    });
    expect([...keys.remote!.keys()]).toEqual(['BankID']);
    await expect(keys.keyOf(kari)).rejects.toBeInstanceOf(RemoteSigningRequiredError);
    expect(() => createSigningKeys('csc', { db: undefined as never, pki })).toThrow(/CSC_PROVIDERS/);
  });
});
