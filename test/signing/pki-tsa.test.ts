// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Client } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { Db } from '../../src/db/index.js';
import type { EidProvider } from '../../src/eid/index.js';
import type { SigningKeyProvider } from '../../src/eid/signing-keys.js';
import { createLogger } from '../../src/log.js';
import type { SigningContext } from '../../src/signatures/context.js';
import {
  createCrl,
  createTimeStamper,
  crlNames,
  HttpTimeStamper,
  issuePersonCertificate,
  loadOrCreatePki,
  readTimeStampToken,
  trustAnchorsPem,
} from '../../src/signing/index.js';
import type { DocumentStore } from '../../src/storage/index.js';
import { PIDS, type SigningWorld, sha256Hex, signingWorld } from '../helpers/signing.js';
import { opensslTsVerify, requireTools, run, scratchDir, writeTemp } from './validators.js';

describe('the service PKI and time-stamping authority', () => {
  let world: SigningWorld;
  let dir: string;
  beforeAll(async () => {
    requireTools();
    world = await signingWorld();
    dir = scratchDir('pki');
  });

  it('is created on first start, persisted as PEM, and the same PKI is loaded afterwards', async () => {
    const pkiDir = join(scratchDir('pki-dir'), 'pki');
    const first = await loadOrCreatePki(pkiDir, { crlBaseUrl: 'http://example.test/pki/crl' });
    const second = await loadOrCreatePki(pkiDir);
    expect(trustAnchorsPem(second)).toBe(trustAnchorsPem(first));
    expect(second.seal.certificate.serialNumber).toBe(first.seal.certificate.serialNumber);
    expect(readFileSync(join(pkiDir, 'seal.key.pem'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    // The seal certificate points relying parties at the configured CRL location.
    const text = run('openssl', ['x509', '-noout', '-text', '-in', join(pkiDir, 'seal.cert.pem')]);
    expect(text).toContain('URI:http://example.test/pki/crl/root.crl');
    // And a loaded key still signs: a token from the loaded TSA verifies.
    const token = await createTimeStamper(second).timestamp(new Uint8Array(32).fill(7));
    const out = opensslTsVerify(dir, token, { digestHex: '07'.repeat(32) }, trustAnchorsPem(first));
    expect(out).toContain('Verification: OK');
  });

  it('issues person certificates that chain to the root through the test eID CA', async () => {
    const person = await issuePersonCertificate(world.pki, {
      name: 'Kari Nordmann',
      nationalIdentityNumber: PIDS.fnr,
    });
    const certFile = writeTemp(dir, 'person.pem', person.certificate.toString('pem'));
    const text = run('openssl', ['x509', '-noout', '-text', '-in', certFile]);
    expect(text).toContain(`serialNumber = UN:NO-${PIDS.fnr}`);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Non Repudiation/);
    expect(text).toContain('Issuer: C = NO, O = Esign Orchestrator (development), CN = Esign Test eID CA');
    const ca = writeTemp(dir, 'root.pem', world.rootPem);
    const untrusted = writeTemp(dir, 'eid-ca.pem', person.chain[0]!.toString('pem'));
    expect(run('openssl', ['verify', '-CAfile', ca, '-untrusted', untrusted, certFile])).toContain(': OK');
  });

  it('has a TSA certificate with the critical timeStamping extKeyUsage RFC 3161 requires', () => {
    const certFile = writeTemp(dir, 'tsa.pem', world.pki.tsa!.certificate.toString('pem'));
    const text = run('openssl', ['x509', '-noout', '-text', '-in', certFile]);
    expect(text).toMatch(/X509v3 Extended Key Usage: critical\s+Time Stamping/);
  });

  it('publishes a signed CRL for each CA', async () => {
    expect(crlNames(world.pki).sort()).toEqual(['eid-ca', 'root']);
    const ca = writeTemp(
      dir,
      'root-and-eid.pem',
      `${world.rootPem}\n${world.pki.eidCa!.certificate.toString('pem')}`,
    );
    for (const name of crlNames(world.pki)) {
      const crl = writeTemp(dir, `${name}.crl`, await createCrl(world.pki, name));
      const out = run('openssl', ['crl', '-inform', 'DER', '-in', crl, '-CAfile', ca, '-noout', '-text']);
      expect(out).toContain('verify OK');
      expect(out).toContain('No Revoked Certificates');
    }
  });

  it('issues tokens openssl accepts, for the right digest only', async () => {
    const data = new TextEncoder().encode('the signed content');
    const token = await world.timeStamper.timestamp(Buffer.from(sha256Hex(data), 'hex'));
    expect(opensslTsVerify(dir, token, { data }, world.rootPem)).toContain('Verification: OK');
    const other = new TextEncoder().encode('other content');
    expect(opensslTsVerify(dir, token, { data: other }, world.rootPem)).not.toContain('Verification: OK');
  });

  it('gives every token its own serial number', async () => {
    const digest = new Uint8Array(32);
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      serials.add(
        Buffer.from(readTimeStampToken(await world.timeStamper.timestamp(digest)).serialNumber).toString(
          'hex',
        ),
      );
    }
    expect(serials.size).toBe(20);
  });

  it('answers RFC 3161 requests over HTTP, echoing the nonce, and HttpTimeStamper uses it', async () => {
    const data = writeTemp(dir, 'ts-request-data.bin', 'hello');
    const tsq = join(dir, 'request.tsq');
    run('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', tsq]);
    const tsr = await world.timeStamper.handleTimeStampRequest(readFileSync(tsq));
    const reply = writeTemp(dir, 'reply.tsr', tsr);
    const ca = writeTemp(dir, 'root.pem', world.rootPem);
    expect(run('openssl', ['ts', '-reply', '-in', reply, '-text'])).toContain('Status: Granted.');
    // -queryfile makes openssl check the imprint, the nonce and the policy against the request.
    expect(run('openssl', ['ts', '-verify', '-queryfile', tsq, '-in', reply, '-CAfile', ca])).toContain(
      'Verification: OK',
    );

    const bad = writeTemp(
      dir,
      'bad.tsr',
      await world.timeStamper.handleTimeStampRequest(new Uint8Array([1, 2, 3])),
    );
    expect(run('openssl', ['ts', '-reply', '-in', bad, '-text'])).toContain('Status: Rejected.');

    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = await world.timeStamper.handleTimeStampRequest(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new HttpTimeStamper(`http://127.0.0.1:${port}/tsa`);
      const token = await client.timestamp(Buffer.from(sha256Hex(new TextEncoder().encode('x')), 'hex'));
      expect(opensslTsVerify(dir, token, { data: new TextEncoder().encode('x') }, world.rootPem)).toContain(
        'Verification: OK',
      );
    } finally {
      // fetch keeps connections alive; close them so the test process can exit.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('puts Authority Information Access in every certificate it issues, and serves the CA certificates there', async () => {
    const pkiDir = join(scratchDir('pki-aia'), 'pki');
    const pki = await loadOrCreatePki(pkiDir, { crlBaseUrl: 'http://example.test/pki/crl' });
    const person = await issuePersonCertificate(pki, {
      name: 'Kari Nordmann',
      nationalIdentityNumber: PIDS.fnr,
    });
    const issued = [
      [pki.seal.certificate, 'root'],
      [pki.tsa!.certificate, 'root'],
      [pki.eidCa!.certificate, 'root'],
      [person.certificate, 'eid-ca'],
    ] as const;
    const api = createApp({
      db: {} as Db,
      temporal: {} as Client,
      config: { APP_ENV: 'test', PUBLIC_URL: 'http://example.test', TEMPORAL_TASK_QUEUE: 'q' },
      log: createLogger('silent', 'test'),
      signing: { pki, timeStamper: createTimeStamper(pki) } as SigningContext,
      eid: {} as EidProvider,
      signingKeys: {} as SigningKeyProvider,
      storage: {} as DocumentStore,
    });
    for (const [cert, issuer] of issued) {
      const text = run('openssl', [
        'x509',
        '-noout',
        '-text',
        '-in',
        writeTemp(dir, 'aia.pem', cert.toString('pem')),
      ]);
      const url = `http://example.test/pki/ca/${issuer}.cer`;
      expect(text).toContain(`CA Issuers - URI:${url}`);
      // What the URL serves is DER of the certificate's issuer: openssl reads it and it verifies.
      const res = await api.request(new URL(url).pathname);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pkix-cert');
      const der = new Uint8Array(await res.arrayBuffer());
      const served = new x509.X509Certificate(der);
      expect(served.subject).toBe(cert.issuer);
      expect(await cert.verify({ publicKey: served.publicKey, signatureOnly: true })).toBe(true);
      expect(
        run('openssl', [
          'x509',
          '-inform',
          'DER',
          '-noout',
          '-subject',
          '-in',
          writeTemp(dir, 'ca.cer', der),
        ]),
      ).toContain(served.subjectName.getField('CN')[0]!);
    }
    expect((await api.request('/pki/ca/nobody.cer')).status).toBe(404);
  });

  it('re-issues, with the same key, the certificates of a PKI created before they carried AIA', async () => {
    const pkiDir = join(scratchDir('pki-old'), 'pki');
    const first = await loadOrCreatePki(pkiDir);
    const root = first.crlIssuers.root!;
    // The seal certificate as it was made before: everything but the AIA.
    const old = await x509.X509CertificateGenerator.create({
      serialNumber: '01',
      subject: first.seal.certificate.subjectName,
      issuer: root.certificate.subjectName,
      notBefore: first.seal.certificate.notBefore,
      notAfter: first.seal.certificate.notAfter,
      publicKey: first.seal.certificate.publicKey,
      signingKey: root.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: first.seal.certificate.extensions.filter((e) => e.type !== '1.3.6.1.5.5.7.1.1'),
    });
    writeTemp(pkiDir, 'seal.cert.pem', `${old.toString('pem')}\n${root.certificate.toString('pem')}\n`);
    const loaded = await loadOrCreatePki(pkiDir);
    const aia = loaded.seal.certificate.getExtension(x509.AuthorityInfoAccessExtension);
    expect(aia?.caIssuers.map((n) => n.value)).toEqual(['http://localhost:3000/pki/ca/root.cer']);
    expect(loaded.seal.certificate.serialNumber).not.toBe('01');
    expect(Buffer.from(loaded.seal.certificate.publicKey.rawData)).toEqual(
      Buffer.from(first.seal.certificate.publicKey.rawData),
    );
    // Persisted: the next start loads the re-issued certificate as it is.
    const again = await loadOrCreatePki(pkiDir);
    expect(again.seal.certificate.serialNumber).toBe(loaded.seal.certificate.serialNumber);
  });

  it('issues a CRL for the moment it is used, to the second', async () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    const crl = new x509.X509Crl(Buffer.from(await createCrl(world.pki, 'root', at)));
    expect(crl.thisUpdate.toISOString()).toBe('2026-03-04T05:06:07.000Z');
  });
});
