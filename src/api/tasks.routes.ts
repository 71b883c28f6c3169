// POST /task: submit a task. Async actions answer 202 with a poll URL; sync actions wait
// (bounded) and answer 200 with the finished job, or 202 if it is still running. With an
// Idempotency-Key header a retry gets the first answer again, marked Idempotent-Replayed.
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';

import { fingerprintOf, type Idempotency, jobBody } from '../engine/index.js';
import { badRequest } from '../errors/index.js';
import type { JobRow } from '../store/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { Accepted, ErrorEnvelope, JobBodySchema, TaskBody } from './schemas.js';

/** 1–255 printable ASCII characters, as the contract allows. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/** The request's Idempotency-Key, if it sent one; 400 when the value is not acceptable. */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && IDEMPOTENCY_KEY.test(raw)) return raw;
  throw badRequest('The Idempotency-Key header must be 1–255 printable ASCII characters.', [
    { path: '/headers/idempotency-key', message: 'must be 1–255 printable ASCII characters' },
  ]);
}

export function taskRoutes(app: WireApp, ctx: RouteContext): void {
  const accepted = (job: JobRow) => ({
    status: 'processing' as const,
    job_id: job.id,
    poll_url: `${ctx.prefix}/jobs/${job.id}`,
  });

  app.post(
    '/task',
    {
      preHandler: ctx.auth.required,
      schema: {
        body: TaskBody,
        // Declared for the API reference; the value is checked in the handler, which can
        // say plainly what is wrong with it.
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              description:
                '1–255 printable ASCII characters: a retry with the same key and body gets the first answer again',
            }),
          ),
        }),
        response: {
          200: JobBodySchema,
          202: Accepted,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          402: ErrorEnvelope,
          403: ErrorEnvelope,
          404: ErrorEnvelope,
          422: ErrorEnvelope,
          500: ErrorEnvelope,
          503: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const accountId = accountOf(request);
      const key = idempotencyKeyOf(request);
      const input = {
        accountId,
        actionId: body.action_id,
        params: body.params ?? {},
        ...(body.credential_id !== undefined ? { credentialId: body.credential_id } : {}),
        ...(body.identity_id !== undefined ? { identityId: body.identity_id } : {}),
        ...(body.webhook_url !== undefined ? { webhookUrl: body.webhook_url } : {}),
      };
      // The key covers the route without its prefix, so /v1/wire and /v1/holocron share it;
      // a replay's poll_url takes the prefix of the request it answers (§1).
      const idempotency: Idempotency | undefined = key
        ? {
            key,
            fingerprint: fingerprintOf('POST', '/task', body),
            render: (job) => ({ status: 202, body: accepted(job) }),
          }
        : undefined;
      const submission = await ctx.engine.submitWithKey(input, idempotency);
      if (submission.replayed) {
        const { status, body: stored } = submission.response;
        // The stored body is what this route sent before, so it fits the same schemas.
        const answer = stored as Static<typeof Accepted>;
        return reply
          .status(status as 200 | 202)
          .header('Idempotent-Replayed', 'true')
          .send(
            typeof answer.poll_url === 'string'
              ? { ...answer, poll_url: `${ctx.prefix}/jobs/${answer.job_id}` }
              : answer,
          );
      }
      const { job } = submission;
      if (ctx.registry.action(job.action_id)?.definition.mode === 'sync') {
        const done = await ctx.engine.waitForJob(accountId, job.id, ctx.syncWaitMs);
        if (done.status === 'succeeded' || done.status === 'failed') {
          const finished = { ...jobBody(done, await ctx.engine.files(done)), job_id: job.id };
          if (key) await remember(ctx, request, accountId, key, job.id, finished);
          return reply.status(200).send(finished);
        }
      }
      return reply.status(202).send(accepted(job));
    },
  );
}

/**
 * Makes a replay say what this request said: 200 with the result. Best effort: if it cannot
 * be stored, a replay gets the stored 202, which is still a true answer.
 */
async function remember(
  ctx: RouteContext,
  request: FastifyRequest,
  accountId: string,
  key: string,
  jobId: string,
  body: unknown,
): Promise<void> {
  try {
    await ctx.engine.rememberResponse(accountId, key, jobId, { status: 200, body });
  } catch (error) {
    request.log.warn({ err: error, jobId }, 'storing the idempotent answer failed');
  }
}
