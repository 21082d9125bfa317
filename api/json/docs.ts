/**
 * `GET /openapi.json` and `GET /docs`: Swagger UI served from the swagger-ui-dist package on this
 * machine (no CDN), so the page works offline and behind firewalls that block third parties.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { notFound } from '../http/errors.js';
import { operation, publicRoute } from './openapi.js';

/** The only files of swagger-ui-dist the page needs, with their types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const swaggerUiDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>E-signing sender API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>`;

// Kept in a file of its own rather than inline, so a strict Content-Security-Policy can allow it.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  // Not the standalone layout: its top bar (a box to load other documents) draws a logo with an
  // inline <style>, which the Content-Security-Policy refuses.
  layout: 'BaseLayout',
  validatorUrl: null
});`;

/**
 * Swagger UI's scripts, styles and the init script all come from /docs/assets: nothing inline,
 * nothing from elsewhere. It fetches /openapi.json and, on "Try it out", the API itself.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

const documentRoute = publicRoute('Service', {
  method: 'get',
  path: '/openapi.json',
  summary: 'This document',
  responses: { '200': { description: 'OpenAPI 3.1.' } },
});

const docsRoute = publicRoute('Service', {
  method: 'get',
  path: '/docs',
  summary: 'Interactive documentation',
  responses: { '200': { description: 'HTML.' } },
});

/** `document`: the OpenAPI document of the app, made once its routes are all mounted (api/app.ts). */
export function docsRoutes(document: () => Record<string, unknown>) {
  const app = new OpenAPIHono();
  const assetCache = new Map<string, Uint8Array<ArrayBuffer>>();

  operation(app, documentRoute, (c) => c.json(document()));
  operation(app, docsRoute, (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html(DOCS_PAGE);
  });
  // Swagger UI's own files: part of the page, not of the API.
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (file === 'init.js')
      return c.body(INIT_SCRIPT, 200, { 'Content-Type': ASSETS['swagger-ui-bundle.js']! });
    const type = ASSETS[file];
    if (!type) throw notFound('no such asset');
    let content = assetCache.get(file);
    if (!content) {
      content = new Uint8Array(await readFile(join(swaggerUiDir(), file)));
      assetCache.set(file, content);
    }
    return c.body(content, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
  return app;
}
