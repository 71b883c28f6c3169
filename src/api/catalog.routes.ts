// Discovery: the catalog, one catalog's actions, search, and intent resolution. Anonymous
// callers see everything public; a key adds `connected` / `auth_satisfied`.
import { Type } from 'typebox';

import { rankActions, type RegisteredAction } from '../actions/index.js';
import { AppError, notFound } from '../errors/index.js';
import { actionInfo, catalogEntry } from './catalog-view.js';
import type { RouteContext, WireApp } from './context.js';
import { ActionInfo, CatalogEntry, ErrorEnvelope, ResolveResult, SearchResult } from './schemas.js';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope };

export function catalogRoutes(app: WireApp, ctx: RouteContext): void {
  const { registry } = ctx;
  const times = (slug: string) => ctx.catalogTimes.get(slug);

  /** Catalog slugs in which the caller holds an active credential. */
  async function connectedSlugs(accountId: string | undefined): Promise<Set<string>> {
    if (!accountId) return new Set();
    const rows = await ctx.db
      .selectFrom('credentials')
      .select('catalog_slug')
      .where('account_id', '=', accountId)
      .where('status', '=', 'active')
      .distinct()
      .execute();
    return new Set(rows.map((r) => r.catalog_slug));
  }

  app.get(
    '/catalog',
    {
      preHandler: ctx.auth.optional,
      schema: {
        querystring: Type.Object({
          scope: Type.Optional(Type.Enum(['my', 'global'])),
        }),
        response: { 200: Type.Object({ catalog: Type.Array(CatalogEntry) }), ...errors },
      },
    },
    async (request) => {
      const { scope } = request.query;
      // Every built-in catalog is global; `my` lists the caller's private ones (none yet).
      const catalogs = scope === 'my' ? [] : registry.catalogs();
      return {
        catalog: catalogs
          .filter((c) => c.actions.some((a) => a.enabled))
          .map((c) => catalogEntry(c, times(c.definition.slug))),
      };
    },
  );

  app.get(
    '/catalog/:slug',
    {
      preHandler: ctx.auth.optional,
      schema: {
        params: Type.Object({ slug: Type.String({ maxLength: 100 }) }),
        response: {
          200: Type.Object({
            catalog: CatalogEntry,
            actions: Type.Array(ActionInfo),
            login_input_schema: Type.Array(
              Type.Object({
                name: Type.String(),
                type: Type.String(),
                required: Type.Boolean(),
                description: Type.String(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { slug } = request.params;
      const catalog = registry.catalog(slug) ?? registry.catalogByUuid(slug);
      if (!catalog) throw notFound('Catalog entry not found');
      const t = times(catalog.definition.slug);
      return {
        catalog: catalogEntry(catalog, t),
        actions: catalog.actions.filter((a) => a.enabled).map((a) => actionInfo(a, t)),
        login_input_schema: [...(catalog.definition.loginFields ?? [])],
      };
    },
  );

  app.get(
    '/search',
    {
      preHandler: ctx.auth.optional,
      schema: {
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 500 })),
          catalog: Type.Optional(Type.String({ maxLength: 100 })),
          category: Type.Optional(Type.String({ maxLength: 100 })),
          auth_mode: Type.Optional(Type.Enum(['none', 'optional', 'required'])),
          auth: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ results: Type.Array(SearchResult) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const connected = await connectedSlugs(request.principal?.accountId);
      const candidates = registry.actions().filter((a) => {
        const def = a.catalog.definition;
        if (!a.enabled) return false;
        if (q.catalog && def.slug !== q.catalog) return false;
        if (q.category && def.category !== q.category) return false;
        if (q.auth_mode && a.definition.authMode !== q.auth_mode) return false;
        // auth=false: only actions that can run without a login.
        if (q.auth === false && a.definition.authMode === 'required') return false;
        if (q.auth === true && a.definition.authMode === 'none') return false;
        return true;
      });
      return {
        results: rankActions(candidates, q.q).map((a) => ({
          action_id: a.definition.id,
          catalog_name: a.catalog.definition.name,
          catalog_slug: a.catalog.definition.slug,
          name: a.definition.name,
          description: a.definition.description,
          mode: a.definition.mode,
          auth_mode: a.definition.authMode,
          auth_required: a.definition.authMode === 'required',
          connected: connected.has(a.catalog.definition.slug),
          params: a.parameters,
          credits: a.definition.credits,
        })),
      };
    },
  );

  app.get(
    '/resolve',
    {
      preHandler: ctx.auth.optional,
      schema: {
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 500 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
        }),
        response: {
          200: Type.Object({ next: Type.String(), results: Type.Array(ResolveResult) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { q, limit = 5 } = request.query;
      if (!q || q.trim() === '') {
        throw new AppError(
          'BAD_REQUEST',
          400,
          "Say what you want to do in 'q', e.g. /resolve?q=scrape a linkedin profile",
          {
            details: 'q is required',
            issues: [{ path: '/querystring/q', message: "'q' is required" }],
          },
        );
      }
      const accountId = request.principal?.accountId;
      const connected = await connectedSlugs(accountId);
      const ranked = rankActions(
        registry.actions().filter((a) => a.enabled),
        q,
      ).slice(0, limit);
      const satisfied = (a: RegisteredAction): boolean | null =>
        accountId === undefined
          ? null
          : a.definition.authMode !== 'required' || connected.has(a.catalog.definition.slug);
      return {
        next: `POST ${ctx.prefix}/task with {action_id, params}`,
        results: ranked.map((a) => ({
          action_id: a.definition.id,
          catalog: a.catalog.definition.slug,
          credits: a.definition.credits,
          auth_required: a.definition.authMode === 'required',
          auth_satisfied: satisfied(a),
          params: {
            required: a.parameters
              .filter((p) => p.required)
              .map((p) => ({ name: p.name, type: p.type })),
            optional: a.parameters
              .filter((p) => !p.required)
              .map((p) => ({ name: p.name, type: p.type })),
          },
        })),
      };
    },
  );
}
