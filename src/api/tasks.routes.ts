// POST /task: submit a task. Async actions answer 202 with a poll URL; sync actions wait
// (bounded) and answer 200 with the finished job, or 202 if it is still running.

import { jobBody } from '../engine/index.js';
import { AppError } from '../errors/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { Accepted, ErrorEnvelope, JobBodySchema, TaskBody } from './schemas.js';

export function taskRoutes(app: WireApp, ctx: RouteContext): void {
  app.post(
    '/task',
    {
      preHandler: ctx.auth.required,
      schema: {
        body: TaskBody,
        response: {
          200: JobBodySchema,
          202: Accepted,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          402: ErrorEnvelope,
          403: ErrorEnvelope,
          404: ErrorEnvelope,
          500: ErrorEnvelope,
          503: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const accountId = accountOf(request);
      if (body.webhook_url !== undefined) {
        // Refused rather than silently ignored: a caller relying on it would wait forever.
        throw new AppError(
          'BAD_REQUEST',
          400,
          'webhook_url is not supported by this server yet; poll GET /jobs/{id} (add ?wait=30 to long-poll).',
          {
            details: 'webhook_url is not supported yet',
            issues: [{ path: '/webhook_url', message: 'not supported yet' }],
          },
        );
      }
      const job = await ctx.engine.submit({
        accountId,
        actionId: body.action_id,
        params: body.params ?? {},
        ...(body.credential_id !== undefined ? { credentialId: body.credential_id } : {}),
        ...(body.identity_id !== undefined ? { identityId: body.identity_id } : {}),
      });
      const accepted = {
        status: 'processing' as const,
        job_id: job.id,
        poll_url: `${ctx.prefix}/jobs/${job.id}`,
      };
      if (ctx.registry.action(job.action_id)?.definition.mode === 'sync') {
        const done = await ctx.engine.waitForJob(accountId, job.id, ctx.syncWaitMs);
        if (done.status === 'succeeded' || done.status === 'failed') {
          return reply.status(200).send({ ...jobBody(done), job_id: job.id });
        }
      }
      return reply.status(202).send(accepted);
    },
  );
}
