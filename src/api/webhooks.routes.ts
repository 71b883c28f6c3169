// Webhooks: account endpoints (POST/GET/DELETE /webhooks), the secret that signs deliveries
// to a task's own webhook_url (POST /webhooks/secret/rotate), and the delivery history.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from 'typebox';

import { WEBHOOK_EVENTS } from '../webhooks/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { AnyObject, ErrorEnvelope, IdParams, Ok } from './schemas.js';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const EventName = Type.Enum([...WEBHOOK_EVENTS]);

const NewEndpointBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    events: Opt(Type.Array(EventName, { minItems: 1, uniqueItems: true })),
    description: Opt(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Opt(Type.String()),
  created_at: Type.String(),
});

const Delivery = Type.Object({
  id: Type.String(),
  webhook_id: Opt(Type.String()),
  url: Type.String(),
  event: Type.String(),
  job_id: Opt(Type.String()),
  status: Type.String(),
  attempts: Type.Integer(),
  last_status_code: Opt(Type.Integer()),
  last_error: Opt(Type.String()),
  next_attempt_at: Opt(Type.String()),
  created_at: Type.String(),
  delivered_at: Opt(Type.String()),
});

const Try = Type.Object({
  at: Type.String(),
  status_code: Opt(Type.Integer()),
  error: Opt(Type.String()),
  duration_ms: Type.Integer(),
});

const DeliveriesQuery = Type.Object(
  {
    page: Opt(Type.Integer({ minimum: 1, default: 1 })),
    limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    job_id: Opt(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope };

export function webhookRoutes(app: WireApp, ctx: RouteContext): void {
  const { webhooks } = ctx;

  app.post(
    '/webhooks',
    {
      preHandler: ctx.auth.required,
      schema: {
        body: NewEndpointBody,
        response: {
          201: Type.Object({
            status: Type.Literal('ok'),
            // The only answer that ever carries the secret.
            webhook: Type.Object({ ...Endpoint.properties, secret: Type.String() }),
          }),
          ...errors,
          409: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const { url, events, description } = request.body;
      const webhook = await webhooks.createEndpoint(accountOf(request), {
        url,
        ...(events !== undefined ? { events } : {}),
        ...(description !== undefined ? { description } : {}),
      });
      return reply.status(201).send({ status: 'ok' as const, webhook });
    },
  );

  app.get(
    '/webhooks',
    {
      preHandler: ctx.auth.required,
      schema: {
        response: {
          200: Type.Object({ status: Type.Literal('ok'), webhooks: Type.Array(Endpoint) }),
          ...errors,
        },
      },
    },
    async (request) => ({
      status: 'ok' as const,
      webhooks: await webhooks.listEndpoints(accountOf(request)),
    }),
  );

  app.delete(
    '/webhooks/:id',
    {
      preHandler: ctx.auth.required,
      schema: { params: IdParams, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      await webhooks.deleteEndpoint(accountOf(request), request.params.id);
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/webhooks/deliveries',
    {
      preHandler: ctx.auth.required,
      schema: {
        querystring: DeliveriesQuery,
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            deliveries: Type.Array(Delivery),
            total_count: Type.Integer(),
            page: Type.Integer(),
            limit: Type.Integer(),
            total_pages: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 20, job_id } = request.query;
      const { deliveries, total } = await webhooks.listDeliveries(accountOf(request), {
        page,
        limit,
        ...(job_id !== undefined ? { jobId: job_id } : {}),
      });
      const total_pages = Math.ceil(total / limit);
      return { status: 'ok' as const, deliveries, total_count: total, page, limit, total_pages };
    },
  );

  app.get(
    '/webhooks/deliveries/:id',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            delivery: Delivery,
            payload: AnyObject,
            attempts: Type.Array(Try),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      status: 'ok' as const,
      ...(await webhooks.delivery(accountOf(request), request.params.id)),
    }),
  );

  // POST with no body: an empty body sent as application/json is fine here (see cancel).
  void app.register(async (scope) => {
    const json = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (body === '') done(null, undefined);
      else void json(request, body as string, done);
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/webhooks/secret/rotate',
      {
        preHandler: ctx.auth.required,
        schema: {
          response: {
            200: Type.Object({ status: Type.Literal('ok'), secret: Type.String() }),
            ...errors,
          },
        },
      },
      async (request) => ({
        status: 'ok' as const,
        secret: await webhooks.rotateSecret(accountOf(request)),
      }),
    );
  });
}
