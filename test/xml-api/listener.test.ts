/**
 * The XML API's listener as `npm run api` and `npm run dev` start it (api/xml-api-listener.ts):
 * production needs its three PEM files; a development configuration with XML_API_PORT and none
 * of them serves from the development enterprise PKI, on whatever port is given, for real (a
 * mutual TLS poll of the status queue with a certificate `npm run cli` would issue); the CLI no
 * longer exits on XML_API_PORT.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenXmlApi, xmlApiSetup } from '../../api/xml-api-listener.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { EidProvider } from '../../src/eid/index.js';
import type { SigningKeyProvider } from '../../src/eid/signing-keys.js';
import { createLogger } from '../../src/log.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import type { SigningContext } from '../../src/signatures/context.js';
import { issueEnterpriseCertificate, loadOrCreateEnterprisePki } from '../../src/signing/enterprise-pki.js';
import type { DocumentStore } from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';

const ORG = '987654325';
let t: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  [t, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'esign-xml-listener-'))]);
  await upsertOrganisation(t.db, { orgNumber: ORG, name: 'Sender AS', sector: 'PUBLIC' });
});
afterAll(async () => {
  await t?.db.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const base = { DATABASE_URL: 'postgres://u@h/db' };
const files = {
  XML_API_TLS_CERT_FILE: 'c.pem',
  XML_API_TLS_KEY_FILE: 'k.pem',
  XML_API_CLIENT_CA_FILE: 'ca.pem',
};

describe('the XML API listener', () => {
  it('is off by default; in production it needs its certificate, key and client CAs', async () => {
    expect(await xmlApiSetup(loadConfig(base))).toBeUndefined();
    // loadConfig itself no longer demands them: the worker and the CLI never serve the XML API.
    const production = loadConfig({ ...base, XML_API_PORT: '3443' });
    await expect(xmlApiSetup(production)).rejects.toThrow(ConfigError);
    await expect(xmlApiSetup(production)).rejects.toThrow(
      /XML_API_TLS_CERT_FILE.*XML_API_TLS_KEY_FILE.*XML_API_CLIENT_CA_FILE/s,
    );
    expect(loadConfig({ ...base, XML_API_PORT: '3443', ...files }).XML_API_PORT).toBe(3443);
  });

  it('in development, some of the files but not all is a mistake, named', async () => {
    const partial = loadConfig({
      ...base,
      APP_ENV: 'development',
      XML_API_PORT: '3443',
      XML_API_TLS_CERT_FILE: 'c.pem',
    });
    await expect(xmlApiSetup(partial)).rejects.toThrow(/XML_API_TLS_KEY_FILE.*XML_API_CLIENT_CA_FILE/s);
  });

  it('in development without files: the development PKI, on the port given, over mutual TLS', async () => {
    const port = await freePort();
    const config = loadConfig({
      ...base,
      APP_ENV: 'development',
      DATA_DIR: dataDir,
      XML_API_PORT: String(port),
      LOG_LEVEL: 'silent',
    });
    const setup = await xmlApiSetup(config);
    expect(setup?.port).toBe(port);
    expect(setup?.options.publicUrl).toBe(`https://127.0.0.1:${port}/xml-api`);
    // The PKI the CLI issues sender certificates from (DATA_DIR/pki/enterprise).
    const pki = await loadOrCreateEnterprisePki(join(dataDir, 'pki', 'enterprise'));
    expect(setup?.developmentPki).toEqual({ serviceOrg: pki.serviceOrg, caDirectory: pki.caDirectory });

    const server = await listenXmlApi(
      {
        db: t.db,
        temporal: {} as Client,
        config,
        log: createLogger('silent', 'test'),
        signing: {} as SigningContext,
        eid: {} as EidProvider,
        signingKeys: {} as SigningKeyProvider,
        storage: {} as DocumentStore,
      },
      setup!,
    );
    try {
      const sender = await issueEnterpriseCertificate(pki, ORG);
      const poll = (cert?: { key: string; cert: string }) =>
        new Promise<{ status: number; serverOrg: string; body: string }>((resolve, reject) => {
          const req = request(
            `${setup!.options.publicUrl}/${ORG}/portal/signature-jobs?polling_queue`,
            { ca: pki.caPem, ...cert },
            (res) => {
              const peer = (res.socket as TLSSocket).getPeerCertificate();
              let body = '';
              res.on('data', (chunk) => {
                body += chunk;
              });
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, serverOrg: String(peer.subject?.serialNumber), body }),
              );
            },
          );
          req.on('error', reject);
          req.end();
        });
      // The server's certificate (trusted through the development CA) names the service.
      const unauthenticated = await poll();
      expect(unauthenticated).toMatchObject({ status: 401, serverOrg: pki.serviceOrg });
      expect(unauthenticated.body).toContain('UNAUTHENTICATED');
      // A sender certificate from the same PKI is the sender: an empty queue.
      expect(await poll({ key: sender.key, cert: sender.chain })).toMatchObject({ status: 204 });
    } finally {
      await server.close();
    }
  });

  it('the CLI runs with XML_API_PORT set, and tells the URL of that port', async () => {
    const port = await freePort();
    const out = join(dataDir, 'sender.p12');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'enterprise-certificates', 'issue', '--org', ORG, '--out', out],
      {
        env: {
          ...process.env,
          DATABASE_URL: t.url,
          DATA_DIR: dataDir,
          XML_API_PORT: String(port),
          LOG_LEVEL: 'silent',
        },
      },
    );
    expect(stdout).toContain(`https://localhost:${port}/xml-api`);
    expect(stdout).toContain(out);
  });
});
