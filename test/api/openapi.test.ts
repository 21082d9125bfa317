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
const appIn = (APP_ENV: 'test' | 'production') =>
  createApp({
    db: {} as Db,
    temporal: {} as Client,
    config: { APP_ENV, PUBLIC_URL: 'http://api.test', TEMPORAL_TASK_QUEUE: 'q' },
    log: createLogger('silent', 'test'),
    signing: {} as SigningContext,
    eid: {} as EidProvider,
    signingKeys: {} as SigningKeyProvider,
    storage: {} as DocumentStore,
  });
const app = appIn('test');

type Json = Record<string, unknown>;

/** The value at `keys` inside a JSON document. */
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Json | undefined)?.[k], value);

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
}

async function document(from = app): Promise<OpenApi> {
  const res = await from.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as OpenApi;
}

/** `/api/:org{[0-9]{9}}/:flow{direct|portal}/x/:id` -> `/api/{org}/{flow}/x/{id}` */
const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z]+)(\{[^}]*\}+)?/g, '{$1}');

/** "METHOD path" of every operation the app serves, in OpenAPI's spelling. */
function servedOperations(from: ReturnType<typeof appIn>): string[] {
  // The sender API and the service endpoints; the browser's pages, Swagger UI's own files and
  // the development outbox answer people, not machines, and are not part of the document.
  const pages = /^\/(sign|portal|sender|login|logout|assets|dev|docs\/assets)(\/|$)/;
  const served = from.routes
    .filter((r) => r.method !== 'ALL' && !pages.test(r.path) && !/^\/xml-api(\/|$)/.test(r.path))
    .map((r) => `${r.method} ${openApiPath(r.path)}`);
  // A route with a middleware (a body limit) is listed once per handler.
  return [...new Set(served)].sort();
}

function documentedOperations(doc: OpenApi): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('/openapi.json', () => {
  it('documents every route the app serves, and only those, in development and in production', async () => {
    for (const env of ['test', 'production'] as const) {
      const served = appIn(env);
      const doc = await document(served);
      expect(doc.openapi).toBe('3.1.0');
      const operations = servedOperations(served);
      expect(operations.length, env).toBeGreaterThan(20);
      expect(documentedOperations(doc), env).toEqual(operations);
    }
    // The development endpoints are served, and documented, outside production only.
    const dev = 'POST /api/dev/signature-jobs/{id}/signers/{signerId}/sign';
    expect(documentedOperations(await document())).toContain(dev);
    expect(documentedOperations(await document(appIn('production')))).not.toContain(dev);
  });

  it('matches each path parameter as its declared pattern or values', async () => {
    const doc = await document();
    expect(doc.paths['/pki/crl/{file}']).toBeDefined();
    // An organisation number off its pattern, CA file names off theirs:
    // no route serves them (404), as the document promises.
    for (const path of ['/pki/ca/root.crl', '/api/98765432/portal/signature-jobs/abc', '/pki/crl/root.pem']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe('NOT_FOUND');
    }
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
