/**
 * Forgeries made with real keys, each refused by the verifier (library and `POST /api/verify`)
 * with the rule that failed named, and by `openssl verify` where the fault is in the certificate
 * path (an outside judge of the same chain).
 *
 * The attacker holds one test person's genuine signing key (an end-entity certificate from the
 * test eID CA); the careless-CA cases use the development CAs' keys to issue certificates no
 * correct CA would.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Client } from '@temporalio/client';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { Db } from '../../src/db/index.js';
import type { EidProvider } from '../../src/eid/index.js';
import type { SigningKeyProvider } from '../../src/eid/signing-keys.js';
import { createLogger } from '../../src/log.js';
import type { SigningContext } from '../../src/signatures/context.js';
import {
  type CertifiedKey,
  createCrl,
  createSealedPades,
  createSignerXades,
  createTimeStamper,
  issuePersonCertificate,
  type TimeStamper,
  type VerificationReport,
  verifyPdfSignatures,
  verifyXades,
  type XadesKey,
} from '../../src/signing/index.js';
import { XADES_NS } from '../../src/signing/xades.js';
import type { DocumentStore } from '../../src/storage/index.js';
import { simplePdf } from '../fixtures/signing/pdfs.js';
import { jobInput, PIDS, type SigningWorld, signAll, signingWorld } from '../helpers/signing.js';
import { caUsage, forge, revokingCrl, signerUsage, tsaUsages } from './forge.js';
import { requireTools, run, scratchDir, writeTemp } from './validators.js';

const documents = [
  {
    title: 'Kontrakt',
    fileName: 'kontrakt.pdf',
    mimeType: 'application/pdf',
    sha256: new Uint8Array(32).fill(1),
  },
];
const DAY = 24 * 3600_000;

let world: SigningWorld;
let dir: string;
let api: ReturnType<typeof createApp>;
/** The attacker's genuine test eID: Ola's certificate and key. */
let ola: CertifiedKey;

interface Signing {
  key: XadesKey | 'service';
  name: string;
  pid?: string;
  advanced?: boolean;
  timeStamper?: TimeStamper;
}

async function signStatement(s: Signing): Promise<Uint8Array> {
  const signedAt = new Date();
  return createSignerXades({
    documents,
    jobId: 'job-forged',
    signer: {
      name: s.name,
      personalIdentificationNumber: s.pid,
      signatureType:
        s.advanced === false || s.key === 'service' ? 'AUTHENTICATED_SIGNATURE' : 'ADVANCED_SIGNATURE',
      authenticationLevel: 4,
      authenticatedAt: signedAt,
      signedAt,
    },
    key: s.key === 'service' ? { kind: 'service' } : s.key,
    pki: world.pki,
    timeStamper: s.timeStamper ?? world.timeStamper,
  });
}

const personal = (k: CertifiedKey): XadesKey => ({ kind: 'personal', ...k });

/** A certificate named and shaped like the service seal, issued with Ola's person key. */
const lookAlikeSeal = () =>
  forge({
    cn: 'Esign Service Seal',
    organisation: 'Esign Orchestrator (development)',
    issuer: ola,
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
        true,
      ),
    ],
  });

/** The XAdES changed in its unsigned properties (which the signature does not cover). */
function editUnsigned(xades: Uint8Array, edit: (doc: Document) => void): Uint8Array {
  const doc = new DOMParser().parseFromString(
    new TextDecoder().decode(xades),
    'application/xml',
  ) as unknown as Document;
  edit(doc);
  return new TextEncoder().encode(new XMLSerializer().serializeToString(doc as never));
}

async function viaApi(body: Uint8Array, type = 'application/xml'): Promise<VerificationReport> {
  const res = await api.request('/api/verify', {
    method: 'POST',
    headers: { 'content-type': type },
    body: Buffer.from(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as VerificationReport;
}

/** `openssl verify` of a chain against the development root, with extra options. */
function opensslVerify(leaf: CertifiedKey, extra: string[] = []): string {
  const root = writeTemp(dir, 'root.pem', world.rootPem);
  const untrusted = writeTemp(dir, 'untrusted.pem', leaf.chain.map((c) => c.toString('pem')).join('\n'));
  const cert = writeTemp(dir, 'leaf.pem', leaf.certificate.toString('pem'));
  return run('openssl', ['verify', '-x509_strict', '-CAfile', root, '-untrusted', untrusted, ...extra, cert]);
}

/** Refused by the library verifier and by /api/verify, naming `rule`. */
async function expectRefused(xades: Uint8Array, rule: string | RegExp): Promise<void> {
  for (const report of [await verifyXades(xades, world.pki.roots), await viaApi(xades)]) {
    expect(report.valid).toBe(false);
    const [sig] = report.signatures;
    expect(sig!.valid && sig!.trusted).toBe(false);
    expect(sig!.problems.join('\n')).toMatch(rule);
  }
}

beforeAll(async () => {
  requireTools();
  world = await signingWorld();
  dir = scratchDir('forgery');
  api = createApp({
    db: {} as Db,
    temporal: {} as Client,
    config: { APP_ENV: 'test', PUBLIC_URL: 'http://api.test', TEMPORAL_TASK_QUEUE: 'q' },
    log: createLogger('silent', 'test'),
    signing: { pki: world.pki, timeStamper: world.timeStamper } as SigningContext,
    eid: {} as EidProvider,
    signingKeys: {} as SigningKeyProvider,
    storage: {} as DocumentStore,
  });
  ola = await issuePersonCertificate(world.pki, { name: 'Ola Nordmann', nationalIdentityNumber: PIDS.dnr });
});

describe('the verifier and forgeries made with real keys', () => {
  it('accepts the genuine signature the attacker’s key makes (the control)', async () => {
    const xades = await signStatement({ key: personal(ola), name: 'Ola Nordmann', pid: PIDS.dnr });
    for (const report of [await verifyXades(xades, world.pki.roots), await viaApi(xades)]) {
      expect(report.signatures[0]!.problems).toEqual([]);
      expect(report.valid).toBe(true);
      expect(report.signatures[0]).toMatchObject({ signer: 'Ola Nordmann', trusted: true, level: 'B-LT' });
    }
    expect(opensslVerify(ola)).toMatch(/: OK$/m);
  });

  it('refuses a certificate for another person issued with a person’s key (basicConstraints, keyUsage)', async () => {
    const kari = await forge({
      cn: 'Kari Nordmann',
      pid: PIDS.fnr,
      issuer: ola,
      extensions: [signerUsage()],
    });
    const xades = await signStatement({ key: personal(kari), name: 'Kari Nordmann', pid: PIDS.fnr });
    await expectRefused(xades, /basicConstraints: "Ola Nordmann" is not a CA certificate/);
    await expectRefused(xades, /keyUsage: "Ola Nordmann" may not sign certificates/);
    expect(opensslVerify(kari)).toMatch(/invalid CA certificate/);
  });

  it('refuses a look-alike service seal issued with a person’s key', async () => {
    const seal = await lookAlikeSeal();
    const xades = await signStatement({
      key: personal(seal),
      name: 'Per Hansen',
      pid: PIDS.fnr,
      advanced: false,
    });
    await expectRefused(xades, /basicConstraints: "Ola Nordmann" is not a CA certificate/);
    expect(opensslVerify(seal)).toMatch(/invalid CA certificate/);
  });

  it('refuses a rogue time-stamping authority issued with a person’s key', async () => {
    const rogue = await forge({
      cn: 'Esign Dev Time-Stamping Authority',
      issuer: ola,
      extensions: tsaUsages(),
    });
    const timeStamper = createTimeStamper({ ...world.pki, tsa: rogue });
    const xades = await signStatement({ key: 'service', name: 'Kari Nordmann', pid: PIDS.fnr, timeStamper });
    await expectRefused(xades, /time-stamp: basicConstraints: "Ola Nordmann" is not a CA certificate/);
    expect(opensslVerify(rogue, ['-purpose', 'timestampsign'])).toMatch(/invalid CA certificate/);
  });

  it('refuses a path through a CA certificate without the cA flag (basicConstraints)', async () => {
    const root = world.pki.crlIssuers.root!;
    const notCa = await forge({ cn: 'Esign Careless CA', issuer: root, extensions: [caUsage()] });
    const person = await forge({
      cn: 'Kari Nordmann',
      pid: PIDS.fnr,
      issuer: notCa,
      extensions: [signerUsage()],
    });
    const xades = await signStatement({ key: personal(person), name: 'Kari Nordmann', pid: PIDS.fnr });
    await expectRefused(xades, /basicConstraints: "Esign Careless CA" is not a CA certificate/);
    expect(opensslVerify(person)).toMatch(/invalid CA certificate/);
  });

  it('refuses a sub-CA below the eID CA, whose path length is 0 (pathLenConstraint)', async () => {
    const subCa = await forge({
      cn: 'Esign Sub CA',
      issuer: world.pki.eidCa!,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), caUsage()],
    });
    const person = await forge({
      cn: 'Kari Nordmann',
      pid: PIDS.fnr,
      issuer: subCa,
      extensions: [signerUsage()],
    });
    const xades = await signStatement({ key: personal(person), name: 'Kari Nordmann', pid: PIDS.fnr });
    await expectRefused(
      xades,
      /pathLenConstraint: "Esign Test eID CA" allows 0 CA certificate\(s\) below it, the path has 1/,
    );
    expect(opensslVerify(person)).toMatch(/path length constraint exceeded/);
  });

  it('refuses a time-stamping key signing documents, and a TSA without the timeStamping usage (extKeyUsage)', async () => {
    const stamper = await forge({
      cn: 'Kari Nordmann',
      pid: PIDS.fnr,
      issuer: world.pki.eidCa!,
      extensions: tsaUsages(),
    });
    const signed = await signStatement({ key: personal(stamper), name: 'Kari Nordmann', pid: PIDS.fnr });
    await expectRefused(signed, /extKeyUsage: "Kari Nordmann" is reserved for 1\.3\.6\.1\.5\.5\.7\.3\.8/);
    expect(opensslVerify(stamper, ['-purpose', 'smimesign'])).toMatch(
      /unsuitable certificate purpose|unsupported certificate purpose/,
    );

    const root = world.pki.crlIssuers.root!;
    const wrongTsa = await forge({
      cn: 'Esign Mail TSA',
      issuer: root,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.emailProtection], false),
      ],
    });
    const timeStamper = createTimeStamper({ ...world.pki, tsa: wrongTsa });
    const stamped = await signStatement({ key: 'service', name: 'Kari Nordmann', timeStamper });
    await expectRefused(
      stamped,
      /time-stamp: extKeyUsage: "Esign Mail TSA" is not a time-stamping authority/,
    );
    expect(opensslVerify(wrongTsa, ['-purpose', 'timestampsign'])).toMatch(
      /unsuitable certificate purpose|unsupported certificate purpose/,
    );
  });

  it('refuses a certificate that had expired at the time-stamp’s time (validity)', async () => {
    const expired = await forge({
      cn: 'Ola Nordmann',
      pid: PIDS.dnr,
      issuer: world.pki.eidCa!,
      extensions: [signerUsage()],
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    // The signer claims a signing time when the certificate was still valid: the claim is not
    // the time that counts, the time-stamp's is.
    const xades = await signStatement({ key: personal(expired), name: 'Ola Nordmann', pid: PIDS.dnr });
    await expectRefused(xades, /validity: certificate "Ola Nordmann" was not valid at/);
    const attime = String(Math.floor(Date.now() / 1000));
    expect(opensslVerify(expired, ['-attime', attime])).toMatch(/certificate has expired/);
  });

  it('refuses a signature whose intermediate CA was revoked before the time-stamp (revocation)', async () => {
    const root = world.pki.crlIssuers.root!;
    const revoked = await revokingCrl(root, world.pki.eidCa!.certificate);
    const genuine = await signStatement({ key: personal(ola), name: 'Ola Nordmann', pid: PIDS.dnr });
    const xades = editUnsigned(genuine, (doc) => {
      const values = doc.getElementsByTagNameNS(XADES_NS, 'CRLValues')[0]!;
      const el = doc.createElementNS(XADES_NS, `${values.prefix}:EncapsulatedCRLValue`);
      el.appendChild(doc.createTextNode(Buffer.from(revoked).toString('base64')));
      values.appendChild(el);
    });
    await expectRefused(xades, /revocation: certificate "Esign Test eID CA" was revoked on/);
    const crls = writeTemp(
      dir,
      'crls.pem',
      [revoked, await createCrl(world.pki, 'eid-ca')]
        .map((der) => x509.PemConverter.encode(Buffer.from(der), 'X509 CRL'))
        .join('\n'),
    );
    expect(opensslVerify(ola, ['-crl_check_all', '-CRLfile', crls])).toMatch(/certificate revoked/);
  });

  it('refuses a certificate with an unknown critical extension (criticalExtension)', async () => {
    const odd = await forge({
      cn: 'Ola Nordmann',
      pid: PIDS.dnr,
      issuer: world.pki.eidCa!,
      extensions: [signerUsage(), new x509.Extension('1.3.6.1.4.1.55555.1', true, new Uint8Array([5, 0]))],
    });
    const xades = await signStatement({ key: personal(odd), name: 'Ola Nordmann', pid: PIDS.dnr });
    await expectRefused(
      xades,
      /criticalExtension: "Ola Nordmann" has the unknown critical extension 1\.3\.6\.1\.4\.1\.55555\.1/,
    );
    expect(opensslVerify(odd)).toMatch(/unhandled critical extension|unsupported critical extension/);
  });

  it('names the certificate’s person, not the statement’s claim, and calls a mismatch an error', async () => {
    const xades = await signStatement({ key: personal(ola), name: 'Kari Nordmann', pid: PIDS.fnr });
    await expectRefused(
      xades,
      /signer: the statement names "Kari Nordmann" but the certificate is "Ola Nordmann"/,
    );
    await expectRefused(xades, /signer: the statement’s identity number is not the certificate’s/);
    const [sig] = (await verifyXades(xades, world.pki.roots)).signatures;
    expect(sig).toMatchObject({ signer: 'Ola Nordmann', claimedSigner: 'Kari Nordmann', valid: false });
  });

  it('reports a XAdES without a signature time-stamp as B-B, not trusted', async () => {
    const genuine = await signStatement({ key: personal(ola), name: 'Ola Nordmann', pid: PIDS.dnr });
    const bare = editUnsigned(genuine, (doc) => {
      const ts = doc.getElementsByTagNameNS(XADES_NS, 'SignatureTimeStamp')[0]!;
      ts.parentNode!.removeChild(ts);
    });
    await expectRefused(bare, /no SignatureTimeStamp: XAdES B-B only/);
    const [sig] = (await viaApi(bare)).signatures;
    expect(sig).toMatchObject({ timeStamped: false, level: 'B-B', trusted: false });
  });

  it('refuses a PAdES sealed with a look-alike service seal issued with a person’s key', async () => {
    const seal = await lookAlikeSeal();
    const forger = { ...world, pki: { ...world.pki, seal } };
    const docs = [{ title: 'A', fileName: 'a.pdf', mimeType: 'application/pdf', bytes: await simplePdf() }];
    const signers = await signAll(forger, 'job-0001', docs, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
    const pdf = await createSealedPades(jobInput(forger, docs, signers));
    for (const report of [
      await verifyPdfSignatures(pdf, world.pki.roots),
      await viaApi(pdf, 'application/pdf'),
    ]) {
      expect(report.valid).toBe(false);
      const sealReport = report.signatures.find((s) => s.kind === 'seal')!;
      expect(sealReport).toMatchObject({ certificateSubject: 'Esign Service Seal', trusted: false });
      expect(sealReport.problems.join('\n')).toMatch(
        /basicConstraints: "Ola Nordmann" is not a CA certificate/,
      );
    }
  });
});
