/**
 * The HTTP application: the sender API, health, docs and (in development) the dev endpoints.
 * Every error leaves as the contract's error shape; an unexpected one as a bare 500 without details.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { createMetricsRegistry, httpMetrics, metricsHandler } from '../src/observability/metrics.js';
import { JobConflictError, JobInputError, JobNotFoundError } from '../src/services/job-service.js';
import type { ApiDeps, AppEnv } from './deps.js';
import { rateLimitAddresses } from './http/address-rate-limit.js';
import { abortedStatus, isBodyAborted } from './http/body-read.js';
import { ApiError, apiErrorOfRefusal, badRequest, errorBody, sendError } from './http/errors.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { rateLimitSenders } from './http/rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { requireSender } from './json/auth.js';
import { callbackRoutes } from './json/callbacks.js';
import { devRoutes } from './json/dev.js';
import { devOutboxRoutes } from './json/dev-outbox.js';
import { docsRoutes } from './json/docs.js';
import { healthRoutes } from './json/health.js';
import { jobActionRoutes } from './json/job-actions.js';
import { jobResultRoutes } from './json/job-results.js';
import { ApiDocument, ORG, operation, publicRoute } from './json/openapi.js';
import { pkiRoutes } from './json/pki.js';
import { senderJobRoutes } from './json/sender-jobs.js';
import { statusQueueRoutes } from './json/status-queue.js';
import { verifyRoutes } from './json/verify.js';
import { browserErrorPage, wantsHtml } from './pages/error-pages.js';
import { pageRoutes } from './pages/index.js';
import { formTargetsOf, pageCsp } from './pages/session.js';
import { xmlApiRoutes } from './xml-api/routes.js';

const metricsRoute = publicRoute('Service', {
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics of this API process',
  responses: { '200': { description: 'Prometheus text exposition.' } },
});

/** Ten documents of 3 MB each, multipart overhead and the job JSON. Larger bodies are cut off unread. */
export const MAX_BODY_BYTES = 34 * 1024 * 1024;

export function createApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  // The JSON API's route groups are mounted through it, so /openapi.json documents what is mounted.
  const api = new ApiDocument();
  let document: Record<string, unknown> | undefined;

  app.onError((err, c) => {
    if (err instanceof ApiError) return sendError(c, err);
    const refused = apiErrorOfRefusal(err);
    if (refused) return sendError(c, refused);
    if (err instanceof JobNotFoundError) return c.json(errorBody('NOT_FOUND', err.message), 404);
    if (err instanceof JobConflictError) return c.json(errorBody(err.code, err.message), 409);
    if (err instanceof JobInputError)
      return sendError(c, badRequest('VALIDATION_FAILED', 'the job is not valid', err.issues));
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(
        errorBody(status === 413 ? 'BODY_TOO_LARGE' : 'HTTP_ERROR', err.message || 'request refused'),
        status,
      );
    }
    if (isBodyAborted(err, c)) {
      deps.log.info({ path: c.req.path, method: c.req.method }, 'request body not received in full');
      return c.json(
        errorBody('BODY_NOT_RECEIVED', 'the request body did not arrive in full'),
        abortedStatus(err),
      );
    }
    deps.log.error({ err, path: c.req.path, method: c.req.method }, 'unhandled error');
    // A browser gets a page with a way on; API clients the contract's JSON (issue 16).
    if (wantsHtml(c)) return browserErrorPage(c, 500);
    return c.json(errorBody('INTERNAL_ERROR', 'an internal error occurred; it has been logged'), 500);
  });
  app.notFound((c) =>
    wantsHtml(c)
      ? browserErrorPage(c, 404)
      : c.json(errorBody('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404),
  );

  // Outermost, so every answer has them, errors and 404s included (see api/http/security-headers.ts).
  app.use('*', securityHeaders(pageCsp(formTargetsOf(deps))));
  // Prometheus metrics of the API: requests by route pattern and status, latency, 429s.
  const metrics = createMetricsRegistry({ defaultMetrics: deps.config.APP_ENV !== 'test' });
  app.use('*', httpMetrics(metrics));
  app.use('*', methodNotAllowed(app));
  const service = new OpenAPIHono<AppEnv>();
  operation(service, metricsRoute, metricsHandler(metrics));
  api.mount(app, '/', service);
  // Before any route, so a flood is refused before it costs a query, a thread or a body read.
  app.use('*', rateLimitAddresses(deps));

  api.mount(app, '/', healthRoutes(deps));
  // Made on the first request, when every route group below has been mounted.
  api.mount(
    app,
    '/',
    docsRoutes(() => (document ??= api.build(deps.config.PUBLIC_URL))),
  );
  api.mount(app, '/', pkiRoutes(deps));
  api.mount(app, '/', verifyRoutes(deps));

  if (deps.config.APP_ENV !== 'production') {
    api.mount(app, '/api/dev', devRoutes(deps));
    if (deps.mailDir) app.route('/', devOutboxRoutes({ db: deps.db, mailDir: deps.mailDir }));
  }
  // The browser side: OpenID Connect login, signing ceremony, signing portal, sender portal.
  app.route('/', pageRoutes(deps));

  // Who is asking, and whether they may ask now, come from the headers: both are settled before a
  // byte of the body is read, so nobody unauthenticated or blocked makes the API buffer 34 MB.
  app.use('/api/:org{[0-9]{9}}/*', requireSender(deps));
  app.use('/api/:org{[0-9]{9}}/*', rateLimitSenders(deps));
  // The national service's XML API: its own root, its own error shape, mutual TLS only.
  if (deps.xmlApi) app.route('/xml-api', xmlApiRoutes(deps, deps.xmlApi));

  app.use(
    '/api/:org{[0-9]{9}}/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(errorBody('BODY_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`), 413),
    }),
  );
  for (const routes of [
    senderJobRoutes,
    statusQueueRoutes,
    jobActionRoutes,
    jobResultRoutes,
    callbackRoutes,
  ]) {
    api.mount(app, '/api/{org}', routes(deps), [ORG]);
  }
  return app;
}
