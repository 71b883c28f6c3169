// GET /account: who the API key belongs to and its balance, so a client (the dashboard's
// header) can show the account without reading the ledger. A Taskwire addition.
import { Type } from 'typebox';

import { getAccount } from '../accounts/index.js';
import { notFound } from '../errors/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { ErrorEnvelope } from './schemas.js';

export const AccountView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Credits available now: the sum of the account's ledger. */
  balance: Type.Integer(),
  created_at: Type.String(),
});

export function accountRoutes(app: WireApp, ctx: RouteContext): void {
  app.get(
    '/account',
    {
      preHandler: ctx.auth.required,
      schema: {
        tags: ['Account'],
        description: 'The account the API key belongs to: id, name and credit balance.',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), account: AccountView }),
          401: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const account = await getAccount(ctx.db, accountOf(request));
      // A key outliving its account cannot happen through the API; answer like any unknown id.
      if (!account) throw notFound('Account not found.');
      const { id, name, balance, created_at } = account;
      return { status: 'ok' as const, account: { id, name, balance, created_at } };
    },
  );
}
