/**
 * The built-in test eID: logins (identity numbers, levels, names) and the per-person signing key
 * (a certificate from the test eID CA, the same key on every use and after a restart, replaced
 * when the CA changes), and that an advanced signature made with it verifies.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEidProvider, EidConfigError, TEST_EID_NAME, TestEidProvider } from '../../src/eid/index.js';
import { generatedName } from '../../src/eid/names.js';
import { createPersonKeyStore } from '../../src/eid/person-keys.js';
import { testPopulation, UNREGISTERED_TEST_PID } from '../../src/notifications/test-population.js';
import {
  createPki,
  createSignerXades,
  createTimeStamper,
  type Pki,
  verifyXades,
} from '../../src/signing/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let t: TestDatabase;
let pki: Pki;
beforeAll(async () => {
  [t, pki] = await Promise.all([createTestDatabase(), createPki()]);
});
afterAll(async () => t?.db.destroy());

const kari = testPopulation[0]!;
const provider = () =>
  new TestEidProvider(createPersonKeyStore(t.db, pki), () => new Date('2026-03-01T10:00:00Z'));

describe('test eID login', () => {
  it('authenticates a test person with their name, the chosen level and the time', async () => {
    const result = await provider().finishLogin({ pid: ` ${kari.pid} `, level: '3' });
    expect(result).toEqual({
      ok: true,
      identity: {
        pid: kari.pid,
        name: 'Kari Nordmann',
        level: 3,
        authenticatedAt: new Date('2026-03-01T10:00:00Z'),
        provider: TEST_EID_NAME,
      },
    });
  });

  it('gives a number outside the test population a generated name, the same every time', async () => {
    const first = await provider().finishLogin({ pid: UNREGISTERED_TEST_PID, level: '4' });
    const second = await provider().finishLogin({ pid: UNREGISTERED_TEST_PID, level: '4' });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.identity.name).toBe(generatedName(UNREGISTERED_TEST_PID));
    expect(first.identity.name).toBe(second.identity.name);
    expect(first.identity.name).toMatch(/^\p{L}+ \p{L}+$/u);
  });

  it('refuses an invalid identity number and a level other than 3 or 4', async () => {
    expect(await provider().finishLogin({ pid: '01010112345', level: '4' })).toMatchObject({
      ok: false,
      code: 'INVALID_IDENTITY_NUMBER',
    });
    expect(await provider().finishLogin({ pid: kari.pid, level: '2' })).toMatchObject({
      ok: false,
      code: 'INVALID_LEVEL',
    });
    expect(await provider().finishLogin({})).toMatchObject({ ok: false, code: 'INVALID_IDENTITY_NUMBER' });
  });

  it('logs in on our own form page', () => {
    expect(provider().startLogin()).toEqual({ kind: 'form' });
  });
});

describe('test eID signing keys', () => {
  it('issues the person a certificate from the test eID CA naming them', async () => {
    const key = await provider().signingKey({ pid: kari.pid, name: kari.name });
    const cert = key.certificate;
    expect(cert.subject).toContain(`2.5.4.5=UN:NO-${kari.pid}`);
    expect(cert.subject).toContain('CN=Kari Nordmann');
    expect(cert.issuer).toBe(pki.eidCa!.certificate.subject);
    expect(await cert.verify({ publicKey: pki.eidCa!.certificate.publicKey, signatureOnly: true })).toBe(
      true,
    );
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.nonRepudiation);
    expect(key.chain.map((c) => c.subject)).toEqual([pki.eidCa!.certificate.subject, pki.roots[0]!.subject]);
  });

  it('keeps one key per person: the same on every call, and after a restart (from the table)', async () => {
    const first = await provider().signingKey({ pid: kari.pid, name: kari.name });
    const again = await provider().signingKey({ pid: kari.pid, name: kari.name });
    expect(again.certificate.serialNumber).toBe(first.certificate.serialNumber);
    const other = await provider().signingKey({ pid: testPopulation[1]!.pid, name: testPopulation[1]!.name });
    expect(other.certificate.serialNumber).not.toBe(first.certificate.serialNumber);

    const rows = await t.db.selectFrom('eid_test_keys').select(['pid_hash', 'certificate_pem']).execute();
    // Stored by a hash of the number, never the number itself as a key.
    const hash = createHash('sha256').update(`pid:${kari.pid}`).digest('hex');
    expect(rows.map((r) => r.pid_hash)).toContain(hash);
    expect(rows.map((r) => r.pid_hash)).not.toContain(kari.pid);
  });

  it('replaces a key whose certificate came from another CA (the development PKI was recreated)', async () => {
    const before = await provider().signingKey({ pid: kari.pid, name: kari.name });
    const newPki = await createPki();
    const after = await createPersonKeyStore(t.db, newPki).keyOf({ pid: kari.pid, name: kari.name });
    expect(after.certificate.serialNumber).not.toBe(before.certificate.serialNumber);
    expect(after.certificate.issuer).toBe(newPki.eidCa!.certificate.subject);
  });

  it('makes an advanced signature over the document digests that verifies against the trust anchor', async () => {
    const key = await createPersonKeyStore(t.db, pki).keyOf({ pid: kari.pid, name: kari.name });
    const document = new TextEncoder().encode('I agree.');
    const xades = await createSignerXades({
      jobId: 'job-1',
      documents: [
        {
          title: 'Agreement',
          fileName: 'agreement.txt',
          mimeType: 'text/plain',
          sha256: createHash('sha256').update(document).digest(),
        },
      ],
      signer: {
        name: kari.name,
        personalIdentificationNumber: kari.pid,
        signatureType: 'ADVANCED_SIGNATURE',
        authenticationLevel: 4,
        authenticatedAt: new Date(),
        signedAt: new Date(),
        eidProvider: TEST_EID_NAME,
      },
      key: { kind: 'personal', ...key },
      pki,
      timeStamper: createTimeStamper(pki),
    });
    const rootPem = x509.PemConverter.encode(pki.roots[0]!.rawData, 'CERTIFICATE');
    const report = await verifyXades(xades, rootPem, {
      documents: [{ fileName: 'agreement.txt', bytes: document }],
    });
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.signatures[0]!.certificateSubject).toBe(kari.name);
  });
});

describe('choosing the eID by configuration', () => {
  it('uses the test eID outside production, and refuses it in production unless explicitly allowed', () => {
    expect(createEidProvider({ appEnv: 'development' }, { db: t.db, pki }).name).toBe(TEST_EID_NAME);
    expect(() => createEidProvider({ appEnv: 'production' }, { db: t.db, pki })).toThrow(EidConfigError);
    expect(() => createEidProvider({ appEnv: 'production', provider: 'test' }, { db: t.db, pki })).toThrow(
      EidConfigError,
    );
    expect(() => createEidProvider({ appEnv: 'development', provider: 'oidc' }, { db: t.db, pki })).toThrow(
      /unknown provider/,
    );
    expect(
      createEidProvider(
        { appEnv: 'production', provider: 'test', allowTestInProduction: true },
        { db: t.db, pki },
      ).name,
    ).toBe(TEST_EID_NAME);
  });
});
