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
        return !doc.paths[path]?.[method.toLowerCase()];
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
