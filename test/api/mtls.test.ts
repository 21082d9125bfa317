/**
 * Mutual TLS: served over HTTPS with client certificates from a test CA, the organisation comes
 * from the enterprise certificate and must match the path. No certificate and no key is 401.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisationNumberOfCertificate } from '../../api/http/client-certificate.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { jobsPath } from '../helpers/api/http.js';
import { createCa, type Issued } from '../helpers/api/pki.js';
import { ORG, OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let ca: Awaited<ReturnType<typeof createCa>>;
let certs: Record<'own' | 'other' | 'untrusted' | 'unregistered', Issued>;
const UNREGISTERED_ORG = '923609016';

beforeAll(async () => {
  ca = await createCa('Test enterprise CA');
  const rogue = await createCa('Rogue CA');
  const server = await ca.server();
  certs = {
    own: await ca.enterprise(ORG),
    other: await ca.enterprise(OTHER_ORG, 'serialNumber'),
    untrusted: await rogue.enterprise(ORG),
    unregistered: await ca.enterprise(UNREGISTERED_ORG),
  };
  stack = await startStack({ tls: { key: server.key, cert: server.cert, ca: ca.pem, requestCert: true } });
  await upsertOrganisation(stack.t.db, { orgNumber: OTHER_ORG, name: 'Other Sender AS', sector: 'PUBLIC' });
});
afterAll(async () => stack?.stop());

/** A GET over HTTPS, trusting the test CA, with an optional client certificate and headers. */
function get(path: string, client?: Issued, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${stack.baseUrl}${path}`,
      { ca: ca.pem, ...client, headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const code = (r: { body: string }) => (JSON.parse(r.body) as { error: { code: string } }).error.code;
/** An empty status queue: a cheap authenticated 204 (a fresh name each time: polling one again is 429). */
let queues = 0;
const queue = (org = ORG) => `${jobsPath('portal', org)}?polling_queue=mtls-${++queues}`;

describe('mutual TLS', () => {
  it('a certificate of the organisation in the path authenticates', async () => {
    expect((await get(queue(), certs.own)).status).toBe(204);
    const job = await get(`${jobsPath('portal')}/no-such-job`, certs.own);
    expect([job.status, code(job)]).toEqual([404, 'NOT_FOUND']);
  });

  it("another organisation's certificate (serialNumber form): 403 here, accepted on its own path", async () => {
    const here = await get(queue(), certs.other);
    expect([here.status, code(here)]).toEqual([403, 'FORBIDDEN']);
    expect((await get(queue(OTHER_ORG), certs.other)).status).toBe(204);
  });

  it('no certificate and no API key: 401; an API key still works over HTTPS', async () => {
    const none = await get(queue());
    expect([none.status, code(none)]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await get(queue(), undefined, { authorization: `Bearer ${stack.apiKey}` })).status).toBe(204);
  });

  it('a certificate from an untrusted CA counts for nothing: 401', async () => {
    const res = await get(queue(), certs.untrusted);
    expect([res.status, code(res)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('a trusted certificate of an organisation that is not a registered sender: 403', async () => {
    const res = await get(queue(UNREGISTERED_ORG), certs.unregistered);
    expect([res.status, code(res)]).toEqual([403, 'FORBIDDEN']);
  });

  it('reads only valid organisation numbers from the subject', async () => {
    const der = (pem: string) =>
      new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expect(organisationNumberOfCertificate(der(certs.own.cert))).toBe(ORG);
    expect(organisationNumberOfCertificate(der(certs.other.cert))).toBe(OTHER_ORG);
    expect(organisationNumberOfCertificate(der((await ca.enterprise('987654321')).cert))).toBeNull();
    expect(organisationNumberOfCertificate(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});
