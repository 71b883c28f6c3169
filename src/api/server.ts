// The Fastify application: strict validation, the Wire error envelope, request ids, and the
// Wire routes mounted under both /v1/holocron and /v1/wire.
import { randomUUID } from 'node:crypto';

import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import scalar from '@scalar/fastify-api-reference';

import { rateLimitOptions } from './rate-limit.js';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';

import { AppError } from '../errors/index.js';
import { accountRoutes } from './account.routes.js';
import { createAuth } from './auth.js';
import { catalogRoutes } from './catalog.routes.js';
import type { ApiDeps, RouteContext } from './context.js';
import { creditRoutes } from './credits.routes.js';
import { dashboardJobRoutes } from './dashboard-jobs.routes.js';
import { connectPageRoute, dashboardRoutes } from './dashboard.routes.js';
import { renderError } from './errors.js';
import { identityRoutes } from './identities.routes.js';
import { jobRoutes } from './jobs.routes.js';
import { keyRoutes } from './keys.routes.js';
import { loginRoutes } from './login.routes.js';
import { metaRoutes } from './meta.routes.js';
import { metricsRoute } from './metrics.routes.js';
import { documentRoute } from './openapi.js';
import { taskRoutes } from './tasks.routes.js';
import { webhookRoutes } from './webhooks.routes.js';

export const WIRE_PREFIXES = ['/v1/holocron', '/v1/wire'] as const;

const routeTables = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Every route a server built by `buildServer` answers, as registered (HEAD excluded). */
export function listRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return routeTables.get(app) ?? [];
}

/**
 * Bodies are checked strictly ("5" is not an integer, unknown fields are errors); query
 * strings and path params arrive as text, so they are coerced.
 */
function validators() {
  const base: AjvOptions = {
    allErrors: true,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  };
  const strict = new Ajv({ ...base, coerceTypes: false });
  const coercing = new Ajv({ ...base, coerceTypes: 'array' });
  addFormats.default(strict);
  addFormats.default(coercing);
  return { strict, coercing };
}

export function buildServer(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit,
    genReqId: () => randomUUID(),
    // One line per request, written by the onResponse hook below with only safe fields.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Response schemas are allow-lists: a field not declared never leaves the server. A route
  // without one would serialise whatever its handler returned, so it may not exist at all.
  const routes: Array<{ method: string; url: string }> = [];
  routeTables.set(app, routes);
  const auth = createAuth(deps.db, deps.keys);
  const authenticates = (hook: unknown) => hook === auth.required || hook === auth.optional;
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
    // The API reference UI under /docs serves its own static page and script, not data.
    const isDocsAsset = route.url === '/docs' || route.url.startsWith('/docs/');
    if (route.method !== 'HEAD' && !isDocsAsset && !route.schema?.response) {
      throw new Error(`Route ${String(route.method)} ${route.url} has no response schema.`);
    }
    // Before @fastify/swagger's own onRoute hook (registered below), so the document and the
    // serializer both see the error envelopes, descriptions and headers every route shares.
    documentRoute(route, authenticates);
  });
  const { strict, coercing } = validators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
  // The API speaks JSON only: anything else is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', undefined);
  // Callback-style hooks: an async one costs every request a promise and a microtask turn.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    deps.metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    request.log.info(
      {
        method: request.method,
        url: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });
  app.setErrorHandler((error: FastifyError, request, reply) => renderError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    renderError(
      new AppError(
        'NOT_FOUND',
        404,
        `No route ${request.method} ${request.url.split('?')[0]}.`,
      ) as unknown as FastifyError,
      request,
      reply,
    ),
  );

  // OpenAPI is generated from the route schemas themselves, so it must see every route:
  // registered first, with the routes in plugins after it.
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Taskwire — Wire v1 API',
        version: '1.0.0',
        description:
          'Run pre-built website actions as jobs. Every route is served under both /v1/holocron and /v1/wire.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  });
  // With both limits off the plugin would count every request for nothing.
  if (deps.rateLimits.perKey > 0 || deps.rateLimits.anonymous > 0) {
    void app.register(rateLimit, rateLimitOptions(deps.rateLimits, auth.principalOf));
  }
  void app.register(async (root) => metaRoutes(root, deps.registry));
  void app.register(async (root) => metricsRoute(root, deps.metrics, deps.metricsToken));
  void app.register(async (root) => dashboardRoutes(root));
  void app.register(async (root) => connectPageRoute(root, deps.registry));
  for (const prefix of WIRE_PREFIXES) {
    const ctx: RouteContext = { ...deps, auth, prefix };
    void app.register(
      async (plugin) => {
        const wire = plugin.withTypeProvider<TypeBoxTypeProvider>();
        catalogRoutes(wire, ctx);
        taskRoutes(wire, ctx);
        jobRoutes(wire, ctx);
        identityRoutes(wire, ctx);
        loginRoutes(wire, ctx);
        creditRoutes(wire, ctx);
        webhookRoutes(wire, ctx);
        accountRoutes(wire, ctx);
        keyRoutes(wire, ctx);
        dashboardJobRoutes(wire, ctx);
      },
      { prefix },
    );
  }
  void app.register(async (root) => {
    root.get(
      '/openapi.json',
      { schema: { hide: true, response: { 200: { type: 'object', additionalProperties: true } } } },
      async () => root.swagger(),
    );
  });
  void app.register(scalar, { routePrefix: '/docs', configuration: { url: '/openapi.json' } });
  return app;
}
