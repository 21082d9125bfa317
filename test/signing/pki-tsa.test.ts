import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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
import { PIDS, type SigningWorld, sha256Hex, signingWorld } from './setup.js';
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
});
