// Root routes outside the Wire prefixes: liveness, the one-screen guide for agents and catalog
// logos. (The connect pages behind AUTH_REQUIRED's connect_url are the dashboard's.)
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { Registry } from '../actions/index.js';
import { AppError } from '../errors/index.js';

function llmsText(registry: Registry): string {
  const catalogs = registry
    .catalogs()
    .map(
      (c) =>
        `- ${c.definition.slug}: ${c.actions
          .filter((a) => a.enabled)
          .map((a) => a.definition.id)
          .join(', ')}`,
    )
    .join('\n');
  return `# Taskwire — Wire v1 action API

Run pre-built website actions as jobs. Base path: /v1/wire (or /v1/holocron, identical).

## Auth
Send your API key as \`X-API-Key: <key>\` or \`Authorization: Bearer <key>\`.
Discovery (/catalog, /search, /resolve) also works without a key.

## The core loop
1. Find an action: GET /v1/wire/resolve?q=<what you want>  (or GET /v1/wire/search?q=...)
2. Submit: POST /v1/wire/task  {"action_id":"...","params":{...}}  → 202 {"job_id","poll_url"}
3. Poll:   GET /v1/wire/jobs/{job_id}  → "processing" (wait retry_after_ms) | "completed" (data) | "failed" (error)
   Add ?wait=30 to long-poll until the job finishes.

Credits are charged on submit and refunded in full if the job fails. GET /v1/wire/credits shows the balance.
Actions that need a login take "credential_id" (see GET /v1/wire/identities); without one the
default identity for the catalog is used, else 401 AUTH_REQUIRED with a connect_url.

## Errors
{"status":"error","error":{"code":"...","message":"..."}} — codes: BAD_REQUEST, INVALID_PARAMS,
UNAUTHORIZED, AUTH_REQUIRED, AUTH_EXPIRED, INSUFFICIENT_CREDITS, FORBIDDEN, NOT_FOUND, ...

## Reference
OpenAPI 3.1: GET /openapi.json · interactive reference: /docs

## Catalog (GET /v1/wire/catalog for details)
${catalogs}
`;
}

/** A monogram logo per catalog, so `logo_url` resolves without shipping image files. */
function logoSvg(name: string): string {
  const letter = (name.trim()[0] ?? '?').toUpperCase().replace(/[<>&"']/g, '?');
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="hsl(${hue} 55% 42%)"/><text x="32" y="43" font-family="system-ui,sans-serif" font-size="30" font-weight="600" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
}

export function metaRoutes(app: FastifyInstance, registry: Registry): void {
  const guide = llmsText(registry);
  app.get(
    '/static/logos/:file',
    {
      schema: {
        params: Type.Object({ file: Type.String({ maxLength: 100 }) }),
        response: {
          200: Type.String(),
          404: Type.Object({
            status: Type.String(),
            error: Type.Object({ code: Type.String(), message: Type.String() }),
          }),
        },
      },
    },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      const catalog = registry.catalogs().find((c) => c.definition.logoUrl.endsWith(`/${file}`));
      if (!catalog) throw new AppError('NOT_FOUND', 404, `No logo '${file}'.`);
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'public, max-age=86400')
        .send(logoSvg(catalog.definition.name));
    },
  );
  app.get(
    '/health',
    {
      // Liveness probes are never throttled.
      config: { rateLimit: false },
      schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/llms.txt', { schema: { response: { 200: Type.String() } } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(guide),
  );
}
