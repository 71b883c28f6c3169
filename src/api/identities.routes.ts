// Identities and their credentials. Responses carry metadata only; secrets go in sealed
// and never come back out through any route. A foreign id answers exactly like an unknown one.
import { Type } from 'typebox';

import type { RegisteredCatalog } from '../actions/index.js';
import { AppError, notFound } from '../errors/index.js';
import type { CredentialType } from '../runtime/index.js';
import {
  credentialView,
  type IdentityView,
  type NewCredential,
  parseCredentialData,
} from '../vault/index.js';
import { accountOf } from './auth.js';
import type { RouteContext, WireApp } from './context.js';
import {
  Credential,
  ErrorEnvelope,
  IdParams,
  Identity,
  NewCredentialBody,
  NewIdentityBody,
  Ok,
  UpdateIdentityBody,
} from './schemas.js';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };

export function identityRoutes(app: WireApp, ctx: RouteContext): void {
  const { registry, vault } = ctx;

  /** A catalog named by its UUID (as Wire sends it) or its slug. */
  function catalogNamed(idOrSlug: string): RegisteredCatalog {
    const catalog = registry.catalogByUuid(idOrSlug) ?? registry.catalog(idOrSlug);
    if (!catalog) throw notFound(`Catalog '${idOrSlug}' not found.`);
    return catalog;
  }

  const render = ({ catalog_slug, ...identity }: IdentityView) => ({
    ...identity,
    catalog_id: registry.catalog(catalog_slug)?.uuid ?? catalog_slug,
  });

  function assertAccepts(catalog: RegisteredCatalog, type: string): void {
    if (
      catalog.definition.authTypes.length > 0 &&
      !catalog.definition.authTypes.includes(type as never)
    ) {
      throw new AppError(
        'BAD_REQUEST',
        400,
        `${catalog.definition.name} accepts ${catalog.definition.authTypes.join(' or ')} credentials, not ${type}.`,
        {
          details: `credential type ${type} not accepted`,
          issues: [{ path: '/credential/type', message: 'not accepted by this catalog' }],
        },
      );
    }
  }

  /**
   * Runs the catalog's probe on a credential about to be saved. A login the site rejects is
   * refused (nothing is written) unless the caller asks to keep it, as `expired`. When the
   * site cannot tell, or the catalog has no probe, the credential is saved unverified.
   */
  async function verifiedOnSave(
    catalog: RegisteredCatalog,
    type: CredentialType,
    data: unknown,
    keepExpired: boolean | undefined,
  ): Promise<NewCredential['verification']> {
    // Malformed data is a 400 here, before any request to the site.
    const verdict = await ctx.probes.check(
      catalog.definition.slug,
      parseCredentialData(type, data),
    );
    const verifiedAt = new Date().toISOString();
    if (verdict.status === 'active') return { status: 'active', verifiedAt };
    if (verdict.status !== 'expired') return undefined;
    if (keepExpired) return { status: 'expired', reason: 'probe_failed', verifiedAt };
    throw new AppError(
      'AUTH_EXPIRED',
      401,
      `${catalog.definition.name} rejected this login (${verdict.message}) Nothing was saved: connect a fresh session, or send keep_expired: true to store it as expired.`,
    );
  }

  app.get(
    '/identities',
    {
      preHandler: ctx.auth.required,
      schema: {
        querystring: Type.Object({ catalog_id: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: {
          200: Type.Object({ status: Type.Literal('ok'), identities: Type.Array(Identity) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { catalog_id } = request.query;
      const slug = catalog_id === undefined ? undefined : catalogNamed(catalog_id).definition.slug;
      const identities = await vault.listIdentities(accountOf(request), slug);
      return { status: 'ok' as const, identities: identities.map(render) };
    },
  );

  app.get(
    '/identities/:id',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        response: {
          200: Type.Object({ status: Type.Literal('ok'), identity: Identity }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      return {
        status: 'ok' as const,
        identity: render(await vault.getIdentity(accountOf(request), id)),
      };
    },
  );

  app.post(
    '/identities',
    {
      preHandler: ctx.auth.required,
      schema: {
        body: NewIdentityBody,
        response: {
          201: Type.Object({ status: Type.Literal('ok'), identity: Identity }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const catalog = catalogNamed(body.catalog_id);
      if (body.credential) assertAccepts(catalog, body.credential.type);
      const verification = body.credential
        ? await verifiedOnSave(
            catalog,
            body.credential.type,
            body.credential.data,
            body.credential.keep_expired,
          )
        : undefined;
      const identity = await vault.createIdentity(accountOf(request), {
        catalogSlug: catalog.definition.slug,
        name: body.name,
        ...(body.is_default !== undefined ? { isDefault: body.is_default } : {}),
        ...(body.credential
          ? {
              credential: {
                type: body.credential.type,
                data: body.credential.data,
                ...(body.credential.metadata ? { metadata: body.credential.metadata } : {}),
                ...(verification ? { verification } : {}),
              },
            }
          : {}),
      });
      return reply.status(201).send({ status: 'ok', identity: render(identity) });
    },
  );

  app.patch(
    '/identities/:id',
    {
      preHandler: ctx.auth.required,
      schema: { params: IdParams, body: UpdateIdentityBody, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      const { name, is_default } = request.body;
      await vault.updateIdentity(accountOf(request), request.params.id, {
        ...(name !== undefined ? { name } : {}),
        ...(is_default !== undefined ? { isDefault: is_default } : {}),
      });
      return { status: 'ok' as const };
    },
  );

  app.delete(
    '/identities/:id',
    {
      preHandler: ctx.auth.required,
      schema: { params: IdParams, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      await vault.deleteIdentity(accountOf(request), request.params.id);
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/identities/:id/credentials',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        response: {
          200: Type.Object({ status: Type.Literal('ok'), credentials: Type.Array(Credential) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const identity = await vault.getIdentity(accountOf(request), id);
      return { status: 'ok' as const, credentials: identity.credentials };
    },
  );

  app.post(
    '/identities/:id/credentials',
    {
      preHandler: ctx.auth.required,
      schema: {
        params: IdParams,
        body: NewCredentialBody,
        response: {
          201: Type.Object({ status: Type.Literal('ok'), credential: Credential }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const accountId = accountOf(request);
      const identity = await vault.getIdentity(accountId, id);
      const catalog = catalogNamed(identity.catalog_slug);
      assertAccepts(catalog, body.credential_type);
      const verification = await verifiedOnSave(
        catalog,
        body.credential_type,
        body.data,
        body.keep_expired,
      );
      const credential = await vault.addCredential(accountId, id, {
        type: body.credential_type,
        data: body.data,
        ...(body.metadata ? { metadata: body.metadata } : {}),
        ...(verification ? { verification } : {}),
      });
      return reply.status(201).send({ status: 'ok', credential });
    },
  );

  app.post(
    '/credentials/verify',
    {
      preHandler: ctx.auth.required,
      schema: {
        body: Type.Object(
          { identity_id: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ status: Type.Literal('verified'), credential: Credential }),
          ...errors,
          502: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const result = await ctx.probes.verifyIdentity(accountOf(request), request.body.identity_id);
      if (!result.ok) throw result.error;
      return reply.status(201).send({ status: 'verified', credential: credentialView(result.row) });
    },
  );

  app.delete(
    '/credentials/:id',
    {
      preHandler: ctx.auth.required,
      schema: { params: IdParams, response: { 200: Ok, ...errors } },
    },
    async (request) => {
      await vault.deleteCredential(accountOf(request), request.params.id);
      return { status: 'ok' as const };
    },
  );
}
