/**
 * The national service's official Java client (signature-api-client-java 7.0.4), unchanged, against
 * this service's XML API over mutual TLS: the configuration a sender changes is the service URL,
 * our CA as a certificate directory and our server organisation number. Every request below is the
 * client's own; the signer acts through the development endpoint (the ceremony's service path).
 */
import 'reflect-metadata';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { readBundle } from '../../api/xml-api/bundle.js';
import { authoriseBroker } from '../../src/services/brokers.js';
import {
  type EnterprisePki,
  type IssuedEnterpriseCertificate,
  issueEnterpriseCertificate,
  loadOrCreateEnterprisePki,
  toPkcs12,
} from '../../src/signing/enterprise-pki.js';
import { KARI_PID, samplePdf } from '../helpers/requests.js';
import { ORG, OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';
import { buildOfficialClient, OfficialClient } from './official-client.js';

const OLA_PID = '02828110023';
const PASSWORD = 'test-password';

let stack: Stack;
let pki: EnterprisePki;
let client: OfficialClient;
let work: string;
let certs: Record<'own' | 'broker', IssuedEnterpriseCertificate & { p12: string }>;

/** HTTPS to the stack, trusting the development enterprise CA, optionally with a client certificate. */
function https(
  method: string,
  path: string,
  opts: { body?: Buffer | string; headers?: Record<string, string>; cert?: IssuedEnterpriseCertificate } = {},
) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(
        `${stack.baseUrl}${path}`,
        {
          method,
          ca: pki.caPem,
          ...(opts.cert ? { cert: opts.cert.chain, key: opts.cert.key } : {}),
          headers: opts.headers ?? {},
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    },
  );
}

const json = async (method: string, path: string, body?: unknown) => {
  const res = await https(method, path, {
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.body.length ? JSON.parse(res.body.toString()) : undefined };
};

/** The job behind a numeric XML id, as the database has it. */
async function jobOf(numericId: unknown) {
  return stack.t.db
    .selectFrom('signature_jobs')
    .select(['id', 'flow', 'org_number', 'status'])
    .where('numeric_id', '=', String(numericId) as never)
    .executeTakeFirstOrThrow();
}

async function signers(jobId: string) {
  return stack.t.db
    .selectFrom('signers')
    .select(['id', 'personal_identification_number'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
}

/** Signs as the signer through the development endpoint; retried until the signer's group is active. */
async function sign(jobId: string, signerId: string): Promise<{ redirectUrl?: string }> {
  for (let i = 0; i < 600; i++) {
    const res = await https('POST', `/api/dev/signature-jobs/${jobId}/signers/${signerId}/sign`, {
      body: JSON.stringify({ authenticationLevel: 4 }),
      headers: { 'content-type': 'application/json' },
    });
    if (res.status === 200) return JSON.parse(res.body.toString());
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`could not sign ${jobId}/${signerId}`);
}

async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 900; i++) {
    const v = await read();
    if (check(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const jobCount = async () =>
  Number(
    (
      await stack.t.db
        .selectFrom('signature_jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'esign-official-client-'));
  const [classpath, enterprise] = await Promise.all([
    buildOfficialClient(),
    loadOrCreateEnterprisePki(join(work, 'enterprise'), { hostnames: ['127.0.0.1', 'localhost'] }),
  ]);
  pki = enterprise;
  const caDir = join(work, 'ca');
  await mkdir(caDir);
  await writeFile(join(caDir, 'enterprise-ca.pem'), pki.caPem);
  const issue = async (org: string) => {
    const issued = await issueEnterpriseCertificate(pki, org);
    const p12 = join(work, `${org}.p12`);
    await writeFile(p12, await toPkcs12(issued, PASSWORD));
    return { ...issued, p12 };
  };
  certs = { own: await issue(ORG), broker: await issue(OTHER_ORG) };
  stack = await startStack({
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, requestCert: true },
    xmlApi: { trustAnchors: [new x509.X509Certificate(pki.caPem)] },
    api: { statusQueue: { emptyQueuePollDelaySeconds: 5 } },
  });
  await writeFile(join(work, 'contract.pdf'), await samplePdf('Employment contract'));
  client = await OfficialClient.start(classpath, {
    serviceUrl: `${stack.baseUrl}/xml-api`,
    caDir,
    serverOrg: pki.serviceOrg,
    dumpDir: join(work, 'bundles'),
  });
  await client.ok('login', certs.own.p12, PASSWORD, ORG);
}, 600_000);

afterAll(async () => {
  client?.stop();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the official Java client, direct flow', () => {
  it('creates a job, the signer signs, the status is read with the real token, results downloaded, documents deleted', async () => {
    const created = await client.ok(
      'direct-create',
      'Employment contract',
      join(work, 'contract.pdf'),
      'xml-direct-1',
      '-',
      '-',
      KARI_PID,
    );
    const job = await jobOf(created.id);
    expect([job.flow, job.org_number, created.reference]).toEqual(['direct', ORG, 'xml-direct-1']);
    const [signer] = await signers(job.id);
    const createdSigners = created.signers as { href: string; redirectUrl: string; identifier: string }[];
    expect(createdSigners[0]!.identifier).toBe(KARI_PID);
    expect(createdSigners[0]!.href).toBe(
      `${stack.baseUrl}/xml-api/${ORG}/direct/signature-jobs/${created.id}/signers/${signer!.id}`,
    );
    expect(created.statusUrl).toBe(
      `${stack.baseUrl}/xml-api/${ORG}/direct/signature-jobs/${created.id}/status`,
    );

    // The same job in the JSON API.
    const viaJson = await json('GET', `/api/${ORG}/direct/signature-jobs/${job.id}`);
    expect([viaJson.status, viaJson.body.signers[0].signer]).toEqual([200, KARI_PID]);

    // A new redirect URL replaces the first one.
    const renewed = await client.ok('direct-new-redirect', '0');
    expect(renewed.redirectUrl).toMatch(/\/sign\/direct\//);
    expect(renewed.redirectUrl).not.toBe(createdSigners[0]!.redirectUrl);

    const { redirectUrl: exit } = await sign(job.id, signer!.id);
    const token = new URL(exit!).searchParams.get('status_query_token')!;
    expect(token).toBeTruthy();
    await until(
      () => json('GET', `/api/${ORG}/direct/signature-jobs/${job.id}`),
      (r) => r.body.links.pades !== null,
      'the PAdES',
    );

    const wrong = await client.run('direct-status', String(created.statusUrl), 'not-the-token');
    expect(wrong.error).toBe('InvalidStatusQueryTokenException');

    const status = await client.ok('direct-status', String(created.statusUrl), token);
    expect(status).toMatchObject({
      id: created.id,
      reference: 'xml-direct-1',
      status: 'COMPLETED_SUCCESSFULLY',
      pades: true,
      deletable: true,
      signatures: [{ signer: KARI_PID, status: 'SIGNED', xades: true }],
    });

    const files = (await client.ok('direct-download', join(work, 'direct-results'))).files as string[];
    expect(files.map((f) => f.split('/').pop())).toEqual(['xades-0.xml', 'pades.pdf']);
    for (const file of files) {
      const verified = await https('POST', '/api/verify', {
        body: await readFile(file),
        headers: { 'content-type': file.endsWith('.pdf') ? 'application/pdf' : 'application/xml' },
      });
      const report = JSON.parse(verified.body.toString()) as {
        valid: boolean;
        signatures: { valid: boolean }[];
      };
      expect(
        [verified.status, report.signatures.length > 0, report.signatures.every((s) => s.valid)],
        file,
      ).toEqual([200, true, true]);
    }

    await client.ok('direct-confirm');
    await client.ok('direct-delete');
    await until(
      () => stack.t.db.selectFrom('documents').select('deleted_at').where('job_id', '=', job.id).execute(),
      (rows) => rows.length === 1 && rows[0]!.deleted_at !== null,
      'the documents deleted',
    );
  }, 240_000);
});
