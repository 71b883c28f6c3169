// API keys of the caller's account: list (never the keys themselves), create (the key is in
// that one answer only) and revoke. A Taskwire addition, so the dashboard can rotate keys
// without the CLI. Revoking is guarded so a person cannot lock themselves out by accident.
import { Type } from 'typebox';

import { createApiKey, listApiKeys, revokeApiKey } from '../accounts/index.js';
import { AppError, notFound } from '../errors/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { ErrorEnvelope, IdParams, Ok } from './schemas.js';

const Opt = Type.Optional;

export const ApiKeyView = Type.Object({
  id: Type.String(),
  /** The key's public part: keys look like `tw_<prefix>_<secret>`. */
  prefix: Type.String(),
  name: Type.String(),
  created_at: Type.String(),
  last_used_at: Opt(Type.String()),
  revoked_at: Opt(Type.String()),
  /** This request was signed with this key. */
  current: Type.Boolean(),
});

const NewKeyBody = Type.Object(
  { name: Opt(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);

export function keyRoutes(app: WireApp, ctx: RouteContext): void {
  app.get(
    '/keys',
    {
      preHandler: ctx.auth.required,
      schema: {
        tags: ['Account'],
        description: "The account's API keys, oldest first, revoked ones included; never the keys.",
        response: {
          200: Type.Object({ status: Type.Literal('ok'), keys: Type.Array(ApiKeyView) }),
          401: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const keyId = request.principal?.keyId;
      const rows = await listApiKeys(ctx.db, accountOf(request));
      const keys = rows.map((row) => ({
        id: row.id,
        prefix: row.prefix,
        name: row.name,
        created_at: row.created_at,
        ...(row.last_used_at ? { last_used_at: row.last_used_at } : {}),
        ...(row.revoked_at ? { revoked_at: row.revoked_at } : {}),
        current: row.id === keyId,
      }));
      return { status: 'ok' as const, keys };
    },
  );

  app.post(
    '/keys',
    {
      preHandler: ctx.auth.required,
      schema: {
        tags: ['Account'],
        description: 'Creates an API key. The whole key is in this answer only: store it now.',
        body: NewKeyBody,
        response: {
          201: Type.Object({
            status: Type.Literal('ok'),
            key: Type.Object({
              id: Type.String(),
              prefix: Type.String(),
              name: Type.String(),
              created_at: Type.String(),
              key: Type.String({ description: 'The API key itself; never shown again.' }),
            }),
          }),
          400: ErrorEnvelope,
          401: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const name = request.body.name?.trim() || 'default';
      const created = await createApiKey(ctx.db, accountOf(request), name);
      return reply.status(201).send({ status: 'ok', key: created });
    },
  );

  app.delete(
    '/keys/:id',
    {
      preHandler: ctx.auth.required,
      schema: {
        tags: ['Account'],
        description:
          "Revokes one of the account's keys at once. The last active key cannot be revoked (409); the key signing this request needs `confirm=true` (409 without it).",
        params: IdParams,
        querystring: Type.Object({ confirm: Opt(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Ok, 401: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope },
      },
    },
    async (request) => {
      const accountId = accountOf(request);
      const { id } = request.params;
      // Checked and revoked in one transaction, so two revokes cannot race past the guard.
      await ctx.db.transaction().execute(async (trx) => {
        const keys = await listApiKeys(trx, accountId);
        const key = keys.find((k) => k.id === id && k.revoked_at === null);
        // Another account's key, a revoked one and an unknown id all answer alike.
        if (!key) throw notFound(`No active API key '${id}'.`);
        const active = keys.filter((k) => k.revoked_at === null);
        if (active.length === 1) {
          throw new AppError(
            'CONFLICT',
            409,
            'This is the last active API key of the account: create another before revoking it.',
          );
        }
        if (key.id === request.principal?.keyId && request.query.confirm !== true) {
          throw new AppError(
            'CONFLICT',
            409,
            'This request is signed with that key: revoking it signs you out. Send confirm=true to revoke it anyway.',
          );
        }
        await revokeApiKey(trx, key.id);
      });
      ctx.keys.forget();
      return { status: 'ok' as const };
    },
  );
}
