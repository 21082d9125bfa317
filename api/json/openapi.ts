/**
 * The OpenAPI 3.1 document of the service. Each operation is declared once, with `createRoute`
 * beside its handler in api/json/*.ts, and mounted by `operation` from that declaration; the
 * document is generated from the declarations of the routes the app mounts (`ApiDocument`).
 * Components come from the zod schemas the code validates with (src/job/schema.ts for the job,
 * ./schemas.ts for the rest). This file holds the shared vocabulary: components, error answers,
 * parameters, and the sender API's common shape.
 *
 * The declarations document; they do not validate. The handlers keep their own validation, so a
 * 4xx body stays our error shape naming the field, a job's ownership (404) is checked before its
 * body (400), and a multipart upload streams under its limits instead of being buffered whole.
 */
import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Env, Hono } from 'hono';
import type { H } from 'hono/types';
import { z } from 'zod';
import { directJobRequestSchema, jobRequestSchema, portalJobRequestSchema } from '../../src/job/schema.js';
import {
  deadlineRequestSchema,
  deadlineViewSchema,
  devRejectRequestSchema,
  devSignerResultSchema,
  devSignRequestSchema,
  errorResponseSchema,
  healthViewSchema,
  jobViewSchema,
  redirectUrlViewSchema,
  statusChangeViewSchema,
} from './schemas.js';

type Json = Record<string, unknown>;

/** The request bodies: what the code reads (answers may quote input, a parser's message say). */
const REQUEST_COMPONENTS = new Set([
  'JobRequest',
  'DirectJobRequest',
  'PortalJobRequest',
  'DeadlineRequest',
  'DevSignRequest',
  'DevRejectRequest',
]);

const COMPONENTS: Record<string, z.ZodType> = {
  JobRequest: jobRequestSchema,
  DirectJobRequest: directJobRequestSchema,
  PortalJobRequest: portalJobRequestSchema,
  Job: jobViewSchema,
  StatusChange: statusChangeViewSchema,
  DeadlineRequest: deadlineRequestSchema,
  Deadline: deadlineViewSchema,
  RedirectUrl: redirectUrlViewSchema,
  DevSignRequest: devSignRequestSchema,
  DevRejectRequest: devRejectRequestSchema,
  DevSignerResult: devSignerResultSchema,
  Health: healthViewSchema,
  Error: errorResponseSchema,
};

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  // Each comes as a standalone JSON Schema document; inside OpenAPI these keys only confuse tools.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...rest }]) => [
      id,
      REQUEST_COMPONENTS.has(id) ? withStorableStrings(rest as Json) : (rest as Json),
    ]),
  );
}

/**
 * Every JSON request body is refused with 400 when a string in it holds a NUL character, which PostgreSQL
 * cannot store (src/rules/storable-text.ts); free-text strings say so with a pattern. Strings
 * with a pattern, format or fixed values of their own exclude NUL already.
 */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

function withStorableStrings(schema: Json): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)])) as Json;
    const free = !('pattern' in out || 'format' in out || 'enum' in out || 'const' in out);
    if (out.type === 'string' && free) out.pattern = NO_NUL_PATTERN;
    return out;
  };
  return walk(schema) as Json;
}

/** A reference to the component of `schema` (one of COMPONENTS). */
export function ref(schema: z.ZodType): { $ref: string } {
  const id = Object.entries(COMPONENTS).find(([, s]) => s === schema)?.[0];
  if (!id) throw new Error('the schema is not a component of the OpenAPI document');
  return { $ref: `#/components/schemas/${id}` };
}
/** A JSON body (request or answer) of the component `schema`. */
export const json = (schema: z.ZodType) => ({ 'application/json': { schema: ref(schema) } });

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input; `details` names each field.',
  '401': 'No valid API key or client certificate.',
  '403': 'The credentials belong to another organisation.',
  '404': 'No such job (or it belongs to another organisation).',
  '409': 'Not allowed in the job’s current state.',
  '413':
    'The body is too large, or a PDF (being verified, or a job document) decodes to too much; `code` names the limit.',
  '415': 'The body is not of a supported media type.',
  '422':
    'A PDF (being verified, or a job document) breaks a structural limit (nesting, objects, pages, a reference loop) or costs too much to verify; `code` names it.',
  '429':
    'Rate limit (per organisation, or per client address on public endpoints), or the verifier is busy; see Retry-After.',
};

/** The error answers with `statuses`, each our error shape. */
export function errors(...statuses: string[]): RouteConfig['responses'] {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: ERROR_DESCRIPTIONS[s], content: json(errorResponseSchema) }]),
  );
}

/** The errors any authenticated sender request can meet (every body passes the size limit). */
const SENDER_ERRORS = ['401', '403', '404', '413', '429'];

/** A parameter of an operation, as OpenAPI writes it; a path parameter's enum or pattern is also what the route matches. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: Json;
}

const pathParam = (name: string, description: string, schema: Json = { type: 'string' }): Parameter => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
export const ORG = pathParam('org', 'The sender’s organisation number (9 digits).', {
  type: 'string',
  pattern: '^[0-9]{9}$',
});
export const FLOW = pathParam('flow', 'direct or portal', { type: 'string', enum: ['direct', 'portal'] });
export const JOB_ID = pathParam('id', 'The job id.');
export const SIGNER_ID = pathParam('signerId', 'The signer id.');

export const BINARY: { type: 'string'; format: 'binary' } = { type: 'string', format: 'binary' };

/** A route of the sender API (mounted under `/api/{org}`): its tag, its credentials, its common errors. */
export function senderRoute<P extends string>(route: {
  method: RouteConfig['method'];
  path: P;
  summary: string;
  parameters: Parameter[];
  responses: RouteConfig['responses'];
  description?: string;
  requestBody?: RouteConfig['requestBody'];
}): RouteConfig & { path: P } {
  const { parameters, responses, ...rest } = route;
  return createRoute<P, Omit<RouteConfig, 'path'> & { path: P }>({
    tags: ['Sender API'],
    ...rest,
    path: route.path,
    parameters: parameters as RouteConfig['parameters'],
    security: [{ apiKey: [] }, { enterpriseCertificate: [] }],
    responses: { ...responses, ...errors(...SENDER_ERRORS) },
  });
}

/** A route outside the sender API (`tag`: Service, PKI, Verification, Development mode). */
export function publicRoute<P extends string>(
  tag: string,
  route: Omit<RouteConfig, 'tags' | 'parameters' | 'path'> & { path: P; parameters?: Parameter[] },
): RouteConfig & { path: P } {
  const { parameters, ...rest } = route;
  return createRoute<P, Omit<RouteConfig, 'path'> & { path: P }>({
    tags: [tag],
    ...rest,
    path: route.path,
    ...(parameters ? { parameters: parameters as RouteConfig['parameters'] } : {}),
  });
}

/** The route path of an OpenAPI path, as a type: its handlers see each `{name}` as a parameter. */
type RoutingPath<P extends string> = P extends `${infer Head}{${infer Name}}${infer Tail}`
  ? `${Head}:${Name}${RoutingPath<Tail>}`
  : P;

/**
 * The route path of an OpenAPI path: each `{name}` a route parameter that matches only what its
 * declared enum or pattern allows (`{flow}` -> `:flow{direct|portal}`), so the route refuses what
 * the document does not promise.
 */
export function routingPath(path: string, parameters: readonly Parameter[]): string {
  return path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    const schema = parameters.find((p) => p.in === 'path' && p.name === name)?.schema;
    const constraint = Array.isArray(schema?.enum)
      ? schema.enum.join('|')
      : typeof schema?.pattern === 'string'
        ? schema.pattern.replace(/^\^/, '').replace(/\$$/, '')
        : undefined;
    return constraint ? `:${name}{${constraint}}` : `:${name}`;
  });
}

/**
 * Declares an operation of `routes` and mounts its handlers: the declaration goes into the
 * routes' OpenAPI registry and the handlers answer at its path. Not `OpenAPIHono#openapi`, which
 * mounts at the path without the parameters' constraints and validates with zod's own error
 * answers; our handlers validate (see the top of this file).
 */
export function operation<E extends Env, P extends string>(
  routes: OpenAPIHono<E>,
  route: RouteConfig & { path: P },
  ...handlers: H<E, RoutingPath<P>>[]
): void {
  routes.openAPIRegistry.registerPath(route);
  const path = routingPath(route.path, (route.parameters ?? []) as Parameter[]);
  (routes.on as (method: string, path: string, ...handlers: H<E, RoutingPath<P>>[]) => unknown)(
    route.method.toUpperCase(),
    path,
    ...handlers,
  );
}

const joinPath = (prefix: string, path: string) => `${prefix.replace(/\/$/, '')}${path}`;

/**
 * The operations the app mounts, collected as each group of routes is mounted, and the document
 * made from them: a route group mounted (or not, like the development endpoints in production)
 * is documented (or not) by the same call.
 */
export class ApiDocument {
  readonly #operations = new OpenAPIHono();

  /** Mounts `routes` at `prefix` (an OpenAPI path whose parameters are `parameters`) and documents their operations there. */
  mount<E extends Env, S extends Env>(
    app: Hono<E>,
    prefix: string,
    routes: OpenAPIHono<S>,
    parameters: Parameter[] = [],
  ): void {
    app.route(routingPath(prefix, parameters), routes);
    for (const definition of routes.openAPIRegistry.definitions) {
      if (definition.type !== 'route') continue;
      const { route } = definition;
      const all = [...(parameters as RouteConfig['parameters'] & object), ...(route.parameters ?? [])];
      this.#operations.openAPIRegistry.registerPath({
        ...route,
        path: joinPath(prefix, route.path),
        ...(all.length > 0 ? { parameters: all } : {}),
      } as RouteConfig);
    }
  }

  /** The OpenAPI 3.1 document of every operation mounted so far. */
  build(publicUrl: string): Json {
    const { paths } = this.#operations.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: '', version: '' },
    });
    return {
      openapi: '3.1.0',
      info: {
        title: 'E-signing sender API',
        version: '1',
        description:
          'Signature jobs in the direct and portal flows, modelled on the Norwegian national e-signing service. Errors: `{"error": {"code", "message", "details"}}`. At most 10 requests per second per organisation; beyond that 429 and a 30-second block.',
      },
      servers: [{ url: publicUrl }],
      paths,
      components: {
        schemas: componentSchemas(),
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key made with the admin CLI.' },
          enterpriseCertificate: {
            type: 'mutualTLS',
            description:
              'An enterprise certificate with the organisation number (serialNumber or NTRNO-<number>).',
          },
        },
      },
    };
  }
}
