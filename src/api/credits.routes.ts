// GET /credits: the balance and the ledger behind it, newest first.
import { Type } from 'typebox';

import { balanceOf, listEntries } from '../ledger/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { ErrorEnvelope, LedgerItem, PageQuery } from './schemas.js';

export function creditRoutes(app: WireApp, ctx: RouteContext): void {
  app.get(
    '/credits',
    {
      preHandler: ctx.auth.required,
      schema: {
        querystring: PageQuery,
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            balance: Type.Integer(),
            ledger: Type.Array(LedgerItem),
            total_count: Type.Integer(),
            page: Type.Integer(),
            limit: Type.Integer(),
          }),
          400: ErrorEnvelope,
          401: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const { page = 1, limit = 50 } = request.query;
      const accountId = accountOf(request);
      const [balance, { entries, total }] = await Promise.all([
        balanceOf(ctx.db, accountId),
        listEntries(ctx.db, accountId, page, limit),
      ]);
      return {
        status: 'ok' as const,
        balance,
        ledger: entries.map((e) => ({
          id: e.id,
          kind: e.kind,
          amount: e.amount,
          created_at: e.created_at,
          ...(e.job_id ? { job_id: e.job_id } : {}),
          ...(e.note ? { note: e.note } : {}),
        })),
        total_count: total,
        page,
        limit,
      };
    },
  );
}
