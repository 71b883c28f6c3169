// GET /jobs/{id}/summary: one job as a person reads it on its dashboard page — what was run,
// with which params and credential, where it stands (attempts, times) — which neither Wire's
// GET /jobs/{id} (the result only) nor the paginated list can answer for a single id.
// A Taskwire addition; the caller's own jobs only (anything else is 404).
import { Type } from 'typebox';

import { fromJson, type JobStatus } from '../store/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { AnyObject, ErrorEnvelope, IdParams } from './schemas.js';

const Opt = Type.Optional;

const WIRE_STATUS: Record<JobStatus, 'processing' | 'completed' | 'failed'> = {
  queued: 'processing',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
};

export const JobSummary = Type.Object({
  id: Type.String(),
  action_id: Type.String(),
  action_name: Type.String(),
  catalog_slug: Type.String(),
  params: AnyObject,
  /** Wire's status: processing, completed or failed. */
  status: Type.String(),
  /** The engine's finer state: queued, running, succeeded or failed. */
  state: Type.String(),
  /** Held while processing, charged once completed, 0 after a failure (refunded). */
  credits: Type.Integer(),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  credential_id: Opt(Type.String()),
  error_code: Opt(Type.String()),
  error_message: Opt(Type.String()),
  execution_ms: Opt(Type.Integer()),
  created_at: Type.String(),
  started_at: Opt(Type.String()),
  completed_at: Opt(Type.String()),
});

export function dashboardJobRoutes(app: WireApp, ctx: RouteContext): void {
  app.get(
    '/jobs/:id/summary',
    {
      preHandler: ctx.auth.required,
      schema: {
        description:
          'One job as the dashboard shows it: action, params, state, attempts, credits and times.',
        params: IdParams,
        response: {
          200: Type.Object({ status: Type.Literal('ok'), job: JobSummary }),
          401: ErrorEnvelope,
          404: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const row = await ctx.engine.job(accountOf(request), request.params.id);
      const status = WIRE_STATUS[row.status];
      const optional = {
        credential_id: row.credential_id,
        error_code: row.error_code,
        error_message: row.error_message,
        execution_ms: row.execution_ms,
        started_at: row.started_at,
        completed_at: row.completed_at,
      };
      const job = {
        id: row.id,
        action_id: row.action_id,
        action_name: ctx.registry.action(row.action_id)?.definition.name ?? row.action_id,
        catalog_slug: row.catalog_slug,
        params: (fromJson(row.params) ?? {}) as Record<string, unknown>,
        status,
        state: row.status,
        credits: status === 'processing' ? row.credits_reserved : row.credits_used,
        attempts: row.attempts,
        max_attempts: row.max_attempts,
        created_at: row.created_at,
        // Fields without a value are left out, never null (as everywhere in the API).
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null)),
      };
      return { status: 'ok' as const, job };
    },
  );
}
