// POST /login: signs in through a catalog's own login form in real Chromium and stores the
// session as the identity's credential. The password is used and forgotten unless the caller
// opts in to automatic re-login. Failures are the Wire envelope with the sign-in's own code.
import { Type } from 'typebox';

import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import { ErrorEnvelope } from './schemas.js';

const LoginBody = Type.Object(
  {
    catalog_slug: Type.String({ minLength: 1, maxLength: 100 }),
    /** The catalog's login fields (`login_input_schema`); checked by the vault, never echoed. */
    params: Type.Optional(Type.Object({}, { additionalProperties: true })),
    identity_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Keep the password, sealed, to sign in again when the session dies. Taskwire addition. */
    remember_password: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Verified = Type.Object({
  status: Type.Literal('verified'),
  identity_id: Type.String(),
  identity_name: Type.String(),
  credential_id: Type.String(),
  catalog_id: Type.String(),
  catalog_slug: Type.String(),
  expires_at: Type.Optional(Type.String()),
});

export function loginRoutes(app: WireApp, ctx: RouteContext): void {
  app.post(
    '/login',
    {
      preHandler: ctx.auth.required,
      schema: {
        body: LoginBody,
        response: {
          201: Verified,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          403: ErrorEnvelope,
          404: ErrorEnvelope,
          502: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await ctx.logins.login(accountOf(request), {
        catalogSlug: body.catalog_slug,
        params: body.params ?? {},
        ...(body.identity_name !== undefined ? { identityName: body.identity_name } : {}),
        ...(body.remember_password !== undefined
          ? { rememberPassword: body.remember_password }
          : {}),
      });
      reply.code(201);
      return {
        status: 'verified' as const,
        identity_id: result.identityId,
        identity_name: result.identityName,
        credential_id: result.credentialId,
        catalog_id: ctx.registry.catalog(result.catalogSlug)?.uuid ?? result.catalogSlug,
        catalog_slug: result.catalogSlug,
        ...(result.expiresAt !== undefined ? { expires_at: result.expiresAt } : {}),
      };
    },
  );
}
