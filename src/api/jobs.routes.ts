// Reading jobs: one job's Wire body (optionally long-polled with ?wait=), its files, and the
// paginated, filterable list of the caller's jobs; and cancelling one.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import { jobBody } from '../engine/index.js';
import type { JobStatus } from '../store/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import {
  AnyObject,
  DownloadQuery,
  ErrorEnvelope,
  FileDownload,
  IdParams,
  JobBodySchema,
  JobItem,
  JobsQuery,
} from './schemas.js';

const STATUS_FILTER: Record<string, JobStatus[]> = {
  processing: ['queued', 'running'],
  queued: ['queued'],
  running: ['running'],
  completed: ['succeeded'],
  failed: ['failed'],
};

export function jobRoutes(app: WireApp, ctx: RouteContext): void {
  app.get(
    '/jobs/:id',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        querystring: Type.Object({ wait: Type.Optional(Type.Number({ minimum: 0, maximum: 60 })) }),
        response: {
          200: JobBodySchema,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          404: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { wait } = request.query;
      const accountId = accountOf(request);
      const job = wait
        ? await ctx.engine.waitForJob(accountId, id, Math.round(wait * 1000))
        : await ctx.engine.poll(accountId, id);
      // A queued job says where it stands in its account's queue (per-account concurrency
      // may hold it back while the account's earlier jobs run).
      if (job.status === 'queued') {
        return { ...jobBody(job), queue_position: await ctx.engine.queuePosition(job) };
      }
      return jobBody(job, await ctx.engine.files(job));
    },
  );

  app.get(
    '/jobs/:id/download',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        querystring: DownloadQuery,
        response: {
          200: FileDownload,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          404: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const file = await ctx.engine.file(accountOf(request), id, request.query.file);
      // Always a download, never rendered on the API's origin: an action chooses the content
      // type, and an HTML or SVG file shown inline could run script next to the dashboard.
      return reply
        .type(file.content_type)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .send(file.content);
    },
  );

  app.get(
    '/jobs/:id/events',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            events: Type.Array(
              Type.Object({
                at: Type.String(),
                kind: Type.String(),
                attempt: Type.Optional(Type.Integer()),
                message: Type.String(),
                data: Type.Optional(AnyObject),
              }),
            ),
          }),
          401: ErrorEnvelope,
          404: ErrorEnvelope,
        },
      },
    },
    async (request) => ({
      status: 'ok' as const,
      events: await ctx.engine.jobLog(accountOf(request), request.params.id),
    }),
  );

  app.get(
    '/jobs',
    {
      preHandler: ctx.auth.required,
      schema: {
        querystring: JobsQuery,
        response: {
          200: Type.Object({
            jobs: Type.Array(JobItem),
            total_count: Type.Integer(),
            page: Type.Integer(),
            limit: Type.Integer(),
            total_pages: Type.Integer(),
            stats: Type.Optional(Type.Record(Type.String(), Type.Integer())),
          }),
          400: ErrorEnvelope,
          401: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const accountId = accountOf(request);
      const page = q.page ?? 1;
      const limit = q.limit ?? 20;
      const { jobs, total } = await ctx.engine.list(accountId, {
        page,
        limit,
        ...(q.catalog
          ? { catalog: ctx.registry.catalogByUuid(q.catalog)?.definition.slug ?? q.catalog }
          : {}),
        ...(q.status ? { status: STATUS_FILTER[q.status] } : {}),
        ...(q.search ? { search: q.search } : {}),
      });
      return {
        jobs,
        total_count: total,
        page,
        limit,
        total_pages: Math.ceil(total / limit),
        ...(page === 1 ? { stats: await ctx.engine.stats(accountId) } : {}),
      };
    },
  );
  // POST with no body: clients often still send `Content-Type: application/json`, which
  // Fastify's JSON parser refuses when empty. Within this route's scope an empty body is
  // fine; anything sent is parsed as usual and then ignored.
  void app.register(async (scope) => {
    const json = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (body === '') done(null, undefined);
      else void json(request, body as string, done);
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/jobs/:id/cancel',
      {
        preHandler: ctx.auth.required,
        schema: {
          params: IdParams,
          response: {
            200: JobBodySchema,
            400: ErrorEnvelope,
            401: ErrorEnvelope,
            404: ErrorEnvelope,
            409: ErrorEnvelope,
          },
        },
      },
      async (request) => jobBody(await ctx.engine.cancel(accountOf(request), request.params.id)),
    );
  });
}
