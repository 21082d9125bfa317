/** The XML API's admin commands: brokers a sender authorises, development enterprise certificates. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { isBrokerAuthorised } from '../../src/services/brokers.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const SENDER = '987654325';
const BROKER = '974760673';
let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  await upsertOrganisation(t.db, { orgNumber: SENDER, name: 'Sender AS', sector: 'PUBLIC' });
  dir = await mkdtemp(join(tmpdir(), 'esign-xml-cli-'));
});
afterAll(async () => {
  await t?.db.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, t.db, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('XML API admin commands', () => {
  it('authorises, lists and revokes a broker; refuses bad numbers and unknown senders', async () => {
    expect((await cli('brokers', 'authorise', '--org', SENDER, '--broker', BROKER)).code).toBe(0);
    expect(await isBrokerAuthorised(t.db, SENDER, BROKER)).toBe(true);
    expect((await cli('brokers', 'list', '--org', SENDER)).out).toBe(BROKER);
    expect((await cli('brokers', 'revoke', '--org', SENDER, '--broker', BROKER)).code).toBe(0);
    expect(await isBrokerAuthorised(t.db, SENDER, BROKER)).toBe(false);
    expect((await cli('brokers', 'revoke', '--org', SENDER, '--broker', BROKER)).code).toBe(1);
    expect((await cli('brokers', 'authorise', '--org', SENDER, '--broker', '123')).code).toBe(2);
    expect((await cli('brokers', 'authorise', '--org', '923609016', '--broker', BROKER)).code).toBe(1);
  });

  it('issues an RSA enterprise certificate as PKCS#12 and prints the client configuration', async () => {
    process.env.PKI_DIR = join(dir, 'pki');
    process.env.XML_API_URL = 'https://esign.example:3443/xml-api';
    try {
      const p12 = join(dir, 'sender.p12');
      const res = await cli(
        'enterprise-certificates',
        'issue',
        '--org',
        SENDER,
        '--out',
        p12,
        '--password',
        'pw-1',
      );
      expect(res.code, res.err).toBe(0);
      expect(res.out).toContain('withServiceUrl(URI.create("https://esign.example:3443/xml-api"))');
      expect(res.out).toContain(`.withCertificates("${join(dir, 'pki', 'enterprise', 'client-trust')}")`);
      expect(res.out).toContain('.serverOrganizationNumber("921000006")');
      // openssl reads it back: an RSA key and a certificate naming the organisation.
      const { stdout } = await promisify(execFile)('openssl', [
        'pkcs12',
        '-in',
        p12,
        '-passin',
        'pass:pw-1',
        '-nodes',
      ]);
      expect(stdout).toMatch(/BEGIN PRIVATE KEY/);
      expect(stdout).toMatch(
        /organizationIdentifier\s*=\s*NTRNO-987654325|2\.5\.4\.97\s*=\s*NTRNO-987654325/,
      );
      const key = await promisify(execFile)('openssl', [
        'pkcs12',
        '-in',
        p12,
        '-passin',
        'pass:pw-1',
        '-nocerts',
        '-nodes',
      ]);
      const rsa = await new Promise<string>((resolve, reject) => {
        const child = execFile('openssl', ['pkey', '-noout', '-text'], (e, out) =>
          e ? reject(e) : resolve(out),
        );
        child.stdin!.end(key.stdout);
      });
      expect(rsa).toMatch(/Private-Key: \(2048 bit/);
    } finally {
      delete process.env.PKI_DIR;
      delete process.env.XML_API_URL;
    }
  });
});
