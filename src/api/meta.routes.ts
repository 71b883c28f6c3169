// Root routes outside the Wire prefixes: liveness and the one-screen guide for agents.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { Registry } from '../actions/index.js';

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

## Catalog (GET /v1/wire/catalog for details)
${catalogs}
`;
}

export function metaRoutes(app: FastifyInstance, registry: Registry): void {
  const guide = llmsText(registry);
  app.get(
    '/health',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/llms.txt', { schema: { response: { 200: Type.String() } } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(guide),
  );
}
