/**
 * /openapi.json documents every route the app serves, from the schemas the code validates with;
 * /docs works offline (its assets come from this server, none from a CDN).
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { Db } from '../../src/db/index.js';
import type { EidProvider } from '../../src/eid/index.js';
import type { SigningKeyProvider } from '../../src/eid/signing-keys.js';
import { MAX_AVAILABLE_SECONDS } from '../../src/job/model.js';
import { createLogger } from '../../src/log.js';
import type { SigningContext } from '../../src/signatures/context.js';
import type { DocumentStore } from '../../src/storage/index.js';

// Documentation routes touch neither the database nor Temporal.
const app = createApp({
  db: {} as Db,
  temporal: {} as Client,
  config: { APP_ENV: 'test', PUBLIC_URL: 'http://api.test', TEMPORAL_TASK_QUEUE: 'q' },
  log: createLogger('silent', 'test'),
  signing: {} as SigningContext,
  eid: {} as EidProvider,
  signingKeys: {} as SigningKeyProvider,
  storage: {} as DocumentStore,
});

type Json = Record<string, unknown>;

/** The value at `keys` inside a JSON document. */
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Json | undefined)?.[k], value);

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
}

async function document(): Promise<OpenApi> {
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as OpenApi;
}

/** `/api/:org{[0-9]{9}}/:flow{direct|portal}/x/:id` -> `/api/{org}/{flow}/x/{id}` */
const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z]+)(\{[^}]*\}+)?/g, '{$1}');

describe('/openapi.json', () => {
  it('documents every route of the app with its method', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    // The sender API and the service endpoints; the browser's pages and the development outbox
    // answer HTML to people and are not part of the machine interface.
    const pages = /^\/(sign|portal|sender|login|logout|assets|dev)(\/|$)/;
    const routes = app.routes.filter(
      (r) => r.method !== 'ALL' && !r.path.startsWith('/docs/assets') && !pages.test(r.path),
    );
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes
      .map((r) => `${r.method} ${openApiPath(r.path)}`)
      .filter((route) => {
        const [method, path] = route.split(' ') as [string, string];
        const documented = (p: string) => doc.paths[p]?.[method.toLowerCase()] !== undefined;
        // A route for both flows may be documented once per flow (create takes each flow's schema).
        const perFlow = ['direct', 'portal'].every((flow) => documented(path.replace('{flow}', flow)));
        return !documented(path) && !(path.includes('{flow}') && perFlow);
      });
    expect(missing).toEqual([]);
  });

  it('takes the job schema, with its limits, from the validation schemas', async () => {
    const { components } = await document();
    const job = components.schemas.PortalJobRequest!;
    expect(job.properties!.title).toMatchObject({ type: 'string', maxLength: 80 });
    expect(components.schemas.DirectJobRequest!.properties).toHaveProperty('exitUrls');
    expect(components.schemas.DeadlineRequest!.properties!.availableSeconds).toMatchObject({
      minimum: 1,
      maximum: MAX_AVAILABLE_SECONDS,
    });
    expect(components.schemas.StatusChange!.properties).toHaveProperty('confirmUrl');
  });

  it('promises nothing the code refuses (issue 12: each was schema-valid and refused)', async () => {
    const doc = (await document()) as unknown as {
      paths: Record<string, Record<string, Json>>;
      components: { schemas: Record<string, Json> };
    };
    const op = (path: string, method: string) => doc.paths[path]![method]!;
    const param = (path: string, method: string, name: string) =>
      (op(path, method).parameters as Json[]).find((p) => p.name === name)!.schema as Json;
    // Each flow's create takes its own job: a portal field in a direct job is refused.
    const jobOf = (flow: string) =>
      at(
        op(`/api/{org}/${flow}/signature-jobs`, 'post'),
        'requestBody',
        'content',
        'multipart/form-data',
        'schema',
        'properties',
        'job',
      );
    expect(jobOf('direct')).toEqual({ $ref: '#/components/schemas/DirectJobRequest' });
    expect(jobOf('portal')).toEqual({ $ref: '#/components/schemas/PortalJobRequest' });
    expect(doc.components.schemas.DirectJobRequest!.properties).not.toHaveProperty('nonsensitiveTitle');
    // An empty body to /api/verify is refused.
    expect(
      at(op('/api/verify', 'post'), 'requestBody', 'content', 'application/pdf', 'schema', 'minLength'),
    ).toBe(1);
    // `change` beyond nine digits, and a status_query_token longer than any handed out.
    const redeliver = param('/api/{org}/{flow}/signature-jobs/{id}/callbacks/redeliver', 'post', 'change');
    expect(redeliver).toMatchObject({ type: 'integer', maximum: 999_999_999 });
    const token = param('/api/{org}/direct/signature-jobs/{id}/status', 'get', 'status_query_token');
    expect(token).toMatchObject({ minLength: 1, maxLength: 100 });
    // NUL in any request string (a reject reason, say); spaces only or control characters in titles.
    const reason = at(doc.components.schemas.DevRejectRequest, 'properties', 'reason') as { pattern: string };
    expect(new RegExp(reason.pattern, 'u').test('a\u0000b')).toBe(false);
    expect(new RegExp(reason.pattern, 'u').test('The salary is wrong')).toBe(true);
    const title = at(doc.components.schemas.PortalJobRequest, 'properties', 'title') as { pattern: string };
    for (const bad of ['   ', 'a\tb']) expect(new RegExp(title.pattern, 'u').test(bad), bad).toBe(false);
    expect(new RegExp(title.pattern, 'u').test(' Contract ')).toBe(true);
    // The Idempotency-Key the code takes: visible ASCII only.
    const key = param('/api/{org}/portal/signature-jobs', 'post', 'Idempotency-Key');
    expect(new RegExp(key.pattern as string).test('a b')).toBe(false);
    // Status codes the code answers, documented.
    expect(op('/api/{org}/{flow}/signature-jobs/{id}/callbacks/redeliver', 'post').responses).toHaveProperty(
      '400',
    );
    expect(op('/api/{org}/portal/signature-jobs/{id}/deadline', 'post').responses).toHaveProperty('413');
    expect(op('/api/dev/signature-jobs/{id}/signers/{signerId}/sign', 'post').responses).toHaveProperty(
      '413',
    );
    expect(op('/tsa', 'post').responses).toHaveProperty('413');
  });

  it('has no dangling references', async () => {
    const doc = await document();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref);
  });
});

describe('/docs', () => {
  it('is a Swagger UI page whose every asset this server serves', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toContain('/docs/assets/swagger-ui-bundle.js');
    for (const asset of assets) {
      const a = await app.request(asset);
      expect(a.status, asset).toBe(200);
      expect((await a.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    expect((await app.request('/docs/assets/package.json')).status).toBe(404);
    expect((await app.request('/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});

describe('methods no route serves', () => {
  it('405 with Allow on a known path, before credentials are looked at; 404 on an unknown path', async () => {
    // In-process requests cannot carry TRACE (the fetch Request refuses it); schemathesis sends
    // TRACE over HTTP in schemathesis.test.ts. Any method no route has is judged alike.
    const cases: [string, string, string][] = [
      ['PROPFIND', '/healthz', 'GET, HEAD'],
      ['PUT', '/api/verify', 'POST'],
      ['DELETE', '/api/987654325/portal/signature-jobs', 'GET, HEAD, POST'],
      ['PATCH', '/api/987654325/direct/signature-jobs/abc/documents', 'DELETE'],
      ['OPTIONS', '/tsa', 'POST'],
      ['PUT', '/portal', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await app.request(path, { method });
      expect({ status: res.status, allow: res.headers.get('allow') }, `${method} ${path}`).toEqual({
        status: 405,
        allow,
      });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    }
    expect((await app.request('/no-such-path', { method: 'PROPFIND' })).status).toBe(404);
  });
});
