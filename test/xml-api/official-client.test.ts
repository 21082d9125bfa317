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
import yauzl from 'yauzl';
import yazl from 'yazl';
import { readBundle } from '../../api/xml-api/bundle.js';
import { authoriseBroker } from '../../src/services/brokers.js';
import { finishDirectCeremony } from '../../src/services/direct-signers.js';
import {
  type EnterprisePki,
  enterpriseCrls,
  type IssuedEnterpriseCertificate,
  issueEnterpriseCertificate,
  loadOrCreateEnterprisePki,
  toPkcs12,
} from '../../src/signing/enterprise-pki.js';
import { contentBombOf, deflatedZeros } from '../hardening/hostile-documents.js';
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
    xmlApi: { trustAnchors: [new x509.X509Certificate(pki.caPem)], revocation: enterpriseCrls(pki) },
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
  it('a ceremony that ended in an error: the status read with its token raises CantQueryStatusException (SIGNING_CEREMONY_NOT_COMPLETED)', async () => {
    const created = await client.ok(
      'direct-create',
      'Interrupted',
      join(work, 'contract.pdf'),
      'xml-direct-3',
      '-',
      '-',
      KARI_PID,
    );
    const job = await jobOf(created.id);
    const [signer] = await signers(job.id);
    // What the ceremony does when it fails: the signer goes to the error URL with a token.
    const exit = await finishDirectCeremony(stack.t.db, { jobId: job.id, signerId: signer!.id }, 'ERROR');
    expect(exit.startsWith('https://sender.example/error?')).toBe(true);
    const token = new URL(exit).searchParams.get('status_query_token')!;
    const res = await client.run('direct-status', String(created.statusUrl), token);
    expect(res.error).toBe('CantQueryStatusException');
    // The answer behind it: the XSD's <error> with the code the client types.
    const statusPath = `${new URL(String(created.statusUrl)).pathname}?status_query_token=${encodeURIComponent(token)}`;
    const raw = errorOf(await https('GET', statusPath, { cert: certs.own }));
    expect([raw.status, raw.code]).toEqual([404, 'SIGNING_CEREMONY_NOT_COMPLETED']);
  }, 120_000);
});

/** Takes changes from a flow's queue until one of the job has `status`, confirming each; the job's changes seen. */
async function pollUntil(flow: 'direct' | 'portal', queue: string, status: string, jobNumericId: unknown) {
  const seen: Record<string, unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    const change = await client.run(`${flow}-poll`, queue);
    if (change.error === 'TooEagerPollingException' || change.empty) {
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (change.error) throw new Error(`${change.error}: ${change.message}`);
    await client.ok(`${flow}-confirm`);
    if (change.id !== jobNumericId) continue;
    seen.push(change);
    if (change.status === status) return seen;
  }
  throw new Error(`no change to ${status} in queue ${queue || '(default)'}: ${JSON.stringify(seen)}`);
}

describe('the official Java client, direct flow with polling', () => {
  it('a POLLING job of a signer with a custom identifier: its changes come from the named queue, naming that identifier', async () => {
    const created = await client.ok(
      'direct-create',
      'Polled contract',
      join(work, 'contract.pdf'),
      'xml-direct-2',
      'POLLING',
      'direct-queue',
      'custom:employee-7',
    );
    expect((created.signers as { identifier: string }[])[0]!.identifier).toBe('employee-7');
    const job = await jobOf(created.id);
    const [signer] = await signers(job.id);
    const { redirectUrl: exit } = await sign(job.id, signer!.id);
    // Polling senders get no status_query_token: they read the queue.
    expect(new URL(exit!).searchParams.has('status_query_token')).toBe(false);
    await until(
      () => json('GET', `/api/${ORG}/direct/signature-jobs/${job.id}`),
      (r) => r.body.links.pades !== null,
      'the PAdES',
    );

    const last = (await pollUntil('direct', 'direct-queue', 'COMPLETED_SUCCESSFULLY', created.id)).at(-1);
    expect(last).toMatchObject({
      reference: 'xml-direct-2',
      status: 'COMPLETED_SUCCESSFULLY',
      pades: true,
      signatures: [{ signer: 'employee-7', status: 'SIGNED', xades: true }],
    });
    expect(Number.isNaN(Date.parse(String(last!.nextPermittedPollTime)))).toBe(false);
  }, 240_000);
});

describe('the official Java client, portal flow', () => {
  it('two chained groups sign; the changes come from the named queue, named as the sender addressed the signers', async () => {
    const created = await client.ok(
      'portal-create',
      'Lease',
      join(work, 'contract.pdf'),
      'xml-portal-1',
      'hr-queue',
      `${KARI_PID}@0`,
      `${OLA_PID}@1`,
    );
    expect(created.cancellationUrl).toBe(
      `${stack.baseUrl}/xml-api/${ORG}/portal/signature-jobs/${created.id}/cancel`,
    );
    const job = await jobOf(created.id);
    const [kari, ola] = await signers(job.id);
    expect([kari!.personal_identification_number, ola!.personal_identification_number]).toEqual([
      KARI_PID,
      OLA_PID,
    ]);
    await sign(job.id, kari!.id);
    await sign(job.id, ola!.id);
    await until(
      () => json('GET', `/api/${ORG}/portal/signature-jobs/${job.id}`),
      (r) => r.body.links.pades !== null,
      'the PAdES',
    );

    const changes = await pollUntil('portal', 'hr-queue', 'COMPLETED_SUCCESSFULLY', created.id);
    const last = changes.at(-1)!;
    expect(last).toMatchObject({
      reference: 'xml-portal-1',
      pades: true,
      cancellable: false,
      deletable: true,
      signatures: [
        { signer: KARI_PID, status: 'SIGNED', xades: true },
        { signer: OLA_PID, status: 'SIGNED', xades: true },
      ],
    });
    // Each change carries the time of each signer's status.
    for (const s of last.signatures as { since: string }[])
      expect(Number.isNaN(Date.parse(s.since))).toBe(false);

    const files = (await client.ok('portal-download', join(work, 'portal-results'))).files as string[];
    expect(files.map((f) => f.split('/').pop())).toEqual(['xades-0.xml', 'xades-1.xml', 'pades.pdf']);
    expect((await readFile(files[2]!)).subarray(0, 5).toString()).toBe('%PDF-');
    await client.ok('portal-delete');
    await until(
      () => stack.t.db.selectFrom('documents').select('deleted_at').where('job_id', '=', job.id).execute(),
      (rows) => rows.length === 1 && rows[0]!.deleted_at !== null,
      'the documents deleted',
    );
    const jsonView = await json('GET', `/api/${ORG}/portal/signature-jobs/${job.id}`);
    expect(jsonView.body.status).toBe('COMPLETED_SUCCESSFULLY');
  }, 240_000);

  it('a job cancelled by the client shows up in the default queue; a second cancel is refused with the typed exception', async () => {
    const created = await client.ok(
      'portal-create',
      'To cancel',
      join(work, 'contract.pdf'),
      'xml-portal-2',
      '-',
      `${KARI_PID}@0`,
    );
    const job = await jobOf(created.id);
    await until(
      () => json('GET', `/api/${ORG}/portal/signature-jobs/${job.id}`),
      (r) => r.body.deadline !== undefined,
      'activation',
    );
    await client.ok('portal-cancel', String(created.id));
    const changes = await pollUntil('portal', '', 'FAILED', created.id);
    expect(changes.at(-1)).toMatchObject({ signatures: [{ signer: KARI_PID, status: 'CANCELLED' }] });
    const again = await client.run('portal-cancel', String(created.id));
    expect(again.error).toBe('JobCannotBeCancelledException');
  }, 240_000);

  it('polling an empty queue again before X-Next-permitted-poll-time raises TooEagerPollingException', async () => {
    const queue = `empty-${Date.now()}`;
    const first = await client.ok('portal-poll', queue);
    expect(first.empty).toBe(true);
    expect(Date.parse(String(first.nextPermittedPollTime))).toBeGreaterThan(Date.now());
    const early = await client.run('portal-poll', queue);
    expect(early.error).toBe('TooEagerPollingException');
  });
});

describe('brokers', () => {
  it("another organisation's certificate is refused with BrokerNotAuthorizedException until the sender authorises it", async () => {
    const before = await jobCount();
    await client.ok('login', certs.broker.p12, PASSWORD, ORG);
    try {
      const refused = await client.run(
        'direct-create',
        'Via a broker',
        join(work, 'contract.pdf'),
        'broker-1',
        '-',
        '-',
        KARI_PID,
      );
      expect(refused.error).toBe('BrokerNotAuthorizedException');
      expect(await jobCount()).toBe(before);

      await authoriseBroker(stack.t.db, ORG, OTHER_ORG);
      const created = await client.ok(
        'direct-create',
        'Via a broker',
        join(work, 'contract.pdf'),
        'broker-2',
        '-',
        '-',
        KARI_PID,
      );
      expect((await jobOf(created.id)).org_number).toBe(ORG);
    } finally {
      await client.ok('login', certs.own.p12, PASSWORD, ORG);
    }
  }, 120_000);
});

/* ------------------------------------------------------------------------------------------------
 * Hostile bundles: the client's own sealed bundle (dumped to disk as it sent it), changed, sent
 * again as the client sends it (multipart/mixed, chunked, mutual TLS). Each is a 4xx <error> and
 * leaves nothing stored.
 * --------------------------------------------------------------------------------------------- */

const REQUEST_XML = `<?xml version="1.0" encoding="UTF-8"?><ns4:direct-signature-job-request xmlns:ns4="http://signering.posten.no/schema/v1" xmlns="http://uri.etsi.org/01903/v1.3.2#"><ns4:reference>hostile</ns4:reference><ns4:exit-urls><ns4:completion-url>https://sender.example/ok</ns4:completion-url><ns4:rejection-url>https://sender.example/rejected</ns4:rejection-url><ns4:error-url>https://sender.example/error</ns4:error-url></ns4:exit-urls></ns4:direct-signature-job-request>`;

/** The newest bundle the client dumped whose name has `reference`, as zipped. */
async function dumpedBundleBytes(reference: string): Promise<Buffer> {
  const dir = join(work, 'bundles');
  const names = (await readdir(dir)).filter((n) => n.includes(`-${reference}-`));
  const newest = (
    await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })))
  ).sort((a, b) => b.t - a.t)[0];
  if (!newest) throw new Error(`no dumped bundle for ${reference}`);
  return readFile(join(dir, newest.n));
}

/** The newest bundle the client dumped whose name has `reference`. */
async function dumpedBundle(reference: string): Promise<Map<string, Uint8Array>> {
  return readBundle(await dumpedBundleBytes(reference));
}

/** A zip's entries without the service's checks (which refuse a bomb that compresses too well). */
function unzipUnchecked(bytes: Buffer): Promise<Map<string, Uint8Array>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map<string, Uint8Array>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function zip(entries: [string, Uint8Array][], options: { compress?: boolean } = {}): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, bytes] of entries) z.addBuffer(Buffer.from(bytes), name, options);
  z.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** Posts a create request as the client does: two unnamed parts, chunked, with our certificate. */
function postBundle(bundle: Buffer, cert = certs.own) {
  const boundary = 'hostile-boundary-1234';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/xml\r\n\r\n${REQUEST_XML}\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    bundle,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return https('POST', `/xml-api/${ORG}/direct/signature-jobs`, {
    body,
    cert,
    headers: {
      'content-type': `multipart/mixed; boundary=${boundary}`,
      accept: 'application/xml',
      'transfer-encoding': 'chunked',
    },
  });
}

function errorOf(res: { status: number; headers: Record<string, unknown>; body: Buffer }) {
  const text = res.body.toString();
  expect(String(res.headers['content-type'])).toMatch(/^application\/xml/);
  expect(text).toContain('xmlns="http://signering.posten.no/schema/v1"');
  return {
    status: res.status,
    code: /<error-code>([^<]*)<\/error-code>/.exec(text)?.[1],
    message: /<error-message>([^<]*)<\/error-message>/.exec(text)?.[1] ?? '',
  };
}

describe('hostile bundles', () => {
  let sealed: Map<string, Uint8Array>;
  let document: string;
  beforeAll(async () => {
    await client.ok('direct-create', 'Sealed', join(work, 'contract.pdf'), 'to-tamper', '-', '-', KARI_PID);
    sealed = await dumpedBundle('to-tamper');
    document = [...sealed.keys()].find((n) => n.endsWith('.pdf'))!;
  }, 120_000);

  it('the untouched bundle, sent again this way, is accepted (the harness itself is sound)', async () => {
    const res = await postBundle(await zip([...sealed.entries()]));
    expect(res.status, res.body.toString()).toBe(201);
    expect(res.body.toString()).toContain('<signature-job-id>');
  });

  const cases: [string, () => Promise<Buffer>, number, string][] = [
    [
      'a document changed after sealing',
      () =>
        zip(
          [...sealed.entries()].map(([n, b]) => [
            n,
            n === document ? Buffer.concat([b, Buffer.from('\n% changed\n')]) : b,
          ]),
        ),
      400,
      'INVALID_SEAL',
    ],
    [
      'a manifest naming a missing document',
      () => zip([...sealed.entries()].filter(([n]) => n !== document)),
      400,
      'DOCUMENT_MISSING',
    ],
    [
      'a zip bomb',
      () => zip([...sealed.entries()].map(([n, b]) => [n, n === document ? new Uint8Array(3_000_000) : b])),
      400,
      'INVALID_BUNDLE',
    ],
    [
      'a ../ entry name',
      async () => {
        // yazl refuses to write `..`; write a same-length name and change it in the bytes.
        const bytes = await zip([...sealed.entries(), ['xx/evil.pdf', Buffer.from('evil')]]);
        return Buffer.from(bytes.toString('latin1').replaceAll('xx/evil.pdf', '../evil.pdf'), 'latin1');
      },
      400,
      'INVALID_BUNDLE',
    ],
  ];
  for (const [name, make, status, code] of cases) {
    it(`${name}: ${status} ${code}, nothing stored`, async () => {
      const before = await jobCount();
      const res = errorOf(await postBundle(await make()));
      expect([res.status, res.code], res.message).toEqual([status, code]);
      expect(await jobCount()).toBe(before);
    });
  }

  it('a certificate from an untrusted CA: the client is refused (401), and its seal sent with a trusted connection is 403 UNTRUSTED_SEAL', async () => {
    const rogue = await loadOrCreateEnterprisePki(join(work, 'rogue'));
    const issued = await issueEnterpriseCertificate(rogue, ORG);
    const p12 = join(work, 'rogue.p12');
    await writeFile(p12, await toPkcs12(issued, PASSWORD));
    const before = await jobCount();
    await client.ok('login', p12, PASSWORD, ORG);
    try {
      const refused = await client.run(
        'direct-create',
        'Rogue',
        join(work, 'contract.pdf'),
        'rogue-1',
        '-',
        '-',
        KARI_PID,
      );
      expect(refused.error).toBeDefined();
      expect(String(refused.message)).toContain('UNAUTHENTICATED');
    } finally {
      await client.ok('login', certs.own.p12, PASSWORD, ORG);
    }
    const res = errorOf(await postBundle(await zip([...(await dumpedBundle('rogue-1')).entries()])));
    expect([res.status, res.code], res.message).toEqual([403, 'UNTRUSTED_SEAL']);
    expect(await jobCount()).toBe(before);
  }, 120_000);

  it("a seal by another organisation's certificate: 403 SEAL_ORGANIZATION_MISMATCH, nothing stored", async () => {
    // A bundle the broker's client sealed (whether or not the service then accepted it).
    await client.ok('login', certs.broker.p12, PASSWORD, ORG);
    try {
      await client.run(
        'direct-create',
        'Foreign seal',
        join(work, 'contract.pdf'),
        'foreign-seal',
        '-',
        '-',
        KARI_PID,
      );
    } finally {
      await client.ok('login', certs.own.p12, PASSWORD, ORG);
    }
    const foreign = await dumpedBundle('foreign-seal');
    const before = await jobCount();
    const res = errorOf(await postBundle(await zip([...foreign.entries()])));
    expect([res.status, res.code], res.message).toEqual([403, 'SEAL_ORGANIZATION_MISMATCH']);
    expect(await jobCount()).toBe(before);
  });
});

/* ------------------------------------------------------------------------------------------------
 * Deflate bombs as job documents (test/hardening/document-bombs.test.ts has the JSON API's and the
 * portal's): a 1 MB PDF whose content inflates to 1 GiB and a 3 MB one to 3 GiB, sealed by the
 * client. The client zips its bundle, and a stream of deflated zeros compresses again, so the
 * bundle's own zip-bomb check may refuse it first; the same sealed entries zipped without
 * compression (as an attacker would send them) reach the document check.
 * --------------------------------------------------------------------------------------------- */

describe('deflate bombs as job documents', () => {
  let bombs: [string, Buffer][];
  beforeAll(async () => {
    const deflated = await deflatedZeros(1024 * 1024 * 1024);
    bombs = [
      ['1mb', contentBombOf(deflated, 1)],
      ['3mb', contentBombOf(deflated, 3)],
    ];
  }, 120_000);

  it('are refused when the client sends them, and sealed but stored uncompressed: 413 PDF_STREAM_TOO_LARGE, nothing stored', async () => {
    for (const [size, bomb] of bombs) {
      const file = join(work, `bomb-${size}.pdf`);
      await writeFile(file, bomb);
      const before = await jobCount();
      const refused = await client.run('direct-create', 'Bomb', file, `bomb-${size}`, '-', '-', KARI_PID);
      expect(refused.error, size).toBeDefined();
      expect(await jobCount()).toBe(before);

      const sealedBomb = await unzipUnchecked(await dumpedBundleBytes(`bomb-${size}`));
      const res = errorOf(await postBundle(await zip([...sealedBomb.entries()], { compress: false })));
      expect([res.status, res.code], res.message).toEqual([413, 'PDF_STREAM_TOO_LARGE']);
      expect(res.message).toMatch(/\.pdf/);
      expect(await jobCount()).toBe(before);
    }
  }, 120_000);
});
