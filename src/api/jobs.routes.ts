// Reading jobs: one job's Wire body (optionally long-polled with ?wait=), and the paginated,
// filterable list of the caller's jobs.
import { Type } from 'typebox';

import { jobBody } from '../engine/index.js';
import type { JobStatus } from '../store/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { ErrorEnvelope, IdParams, JobBodySchema, JobItem, JobsQuery } from './schemas.js';

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
        : await ctx.engine.job(accountId, id);
      return jobBody(job);
    },
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
}
