/**
 * People's signing keys apart from the login (SIGNING_KEYS): the test keys, one per person (a
 * certificate from the test eID CA, the same key on every use and after a restart, replaced when
 * the CA changes), an advanced signature made with one verifies, and the choice by configuration.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createPersonKeyStore } from '../../src/eid/person-keys.js';
import {
  createSigningKeys,
  SigningKeysUnavailableError,
  signingKeyKind,
} from '../../src/eid/signing-keys.js';
import { testPopulation } from '../../src/notifications/test-population.js';
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
const keys = () => createSigningKeys('test', { db: t.db, pki });

describe('test eID signing keys', () => {
  it('issues the person a certificate from the test eID CA naming them', async () => {
    const key = await keys().keyOf({ pid: kari.pid, name: kari.name });
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
    const first = await keys().keyOf({ pid: kari.pid, name: kari.name });
    const again = await keys().keyOf({ pid: kari.pid, name: kari.name });
    expect(again.certificate.serialNumber).toBe(first.certificate.serialNumber);
    const other = await keys().keyOf({ pid: testPopulation[1]!.pid, name: testPopulation[1]!.name });
    expect(other.certificate.serialNumber).not.toBe(first.certificate.serialNumber);

    const rows = await t.db.selectFrom('eid_test_keys').select(['pid_hash', 'certificate_pem']).execute();
    // Stored by a hash of the number, never the number itself as a key.
    const hash = createHash('sha256').update(`pid:${kari.pid}`).digest('hex');
    expect(rows.map((r) => r.pid_hash)).toContain(hash);
    expect(rows.map((r) => r.pid_hash)).not.toContain(kari.pid);
  });

  it('replaces a key whose certificate came from another CA (the development PKI was recreated)', async () => {
    const before = await keys().keyOf({ pid: kari.pid, name: kari.name });
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
        eidProvider: 'TestID (local)',
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

describe('choosing the signing keys by configuration, apart from the login', () => {
  it('uses the test keys outside production (refused in production) and none in production unless SIGNING_KEYS says so', async () => {
    expect(signingKeyKind('development', undefined)).toBe('test');
    expect(signingKeyKind('test', undefined)).toBe('test');
    expect(signingKeyKind('production', undefined)).toBe('none');
    expect(signingKeyKind('production', 'test')).toBe('test');
    // ... but the configuration refuses test keys in production.
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://x/y', APP_ENV: 'production', SIGNING_KEYS: 'test' }),
    ).toThrow(/SIGNING_KEYS: test keys are for development and tests/);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://x/y', APP_ENV: 'development', SIGNING_KEYS: 'test' })
        .SIGNING_KEYS,
    ).toBe('test');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y', SIGNING_KEYS: 'bankid' })).toThrow(
      /SIGNING_KEYS: .*"bankid"/,
    );
    await expect(createSigningKeys('none', { db: t.db, pki }).keyOf(kari)).rejects.toThrow(
      SigningKeysUnavailableError,
    );
  });
});
