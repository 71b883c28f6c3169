// The web dashboard at `/`: the single-page app built by Vite into dist/dashboard, served
// from disk with no CDN. Each dashboard path answers the same index.html (the app routes in
// the browser); only the paths listed here do, so /v1/*, /docs and the other root routes
// keep their own handlers, and an unknown path stays a JSON 404.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';

import type { Registry } from '../actions/index.js';

/** The app's own URLs, as the browser shows them (Fastify syntax). */
export const DASHBOARD_PATHS = [
  '/',
  '/catalog',
  '/actions/:id',
  '/jobs',
  '/jobs/:id',
  '/identities',
  '/credits',
  '/keys',
  '/webhooks',
] as const;

/** Where AUTH_REQUIRED's `connect_url` points: a dashboard page per catalog. */
export const CONNECT_PATH = '/products/holocron/:slug/connect';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Scripts and styles from this origin only; API calls to this origin only; images may also
 * be blob: URLs (screenshots fetched with the API key) or data: URLs.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The built app: dist/dashboard next to the compiled server (dist/api → dist/dashboard), or,
 * when the server runs from its TypeScript sources (tsx, vitest), the last build in dist/.
 */
function dashboardDir(): string {
  const candidates = ['../dashboard/', '../../dist/dashboard/'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

const Html = {
  description: 'The dashboard (a single-page app): the same HTML for every dashboard path.',
  content: { 'text/html': { schema: Type.String() } },
};
const NotBuilt = {
  description: 'The dashboard has not been built (`npm run build`).',
  content: { 'text/plain': { schema: Type.String() } },
};

/** Answers index.html with `status` (or a 503 text when the app is not built). */
function indexSender(dir: string) {
  return async function sendIndex(reply: FastifyReply, status: number): Promise<FastifyReply> {
    void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    let html: Buffer;
    try {
      html = await readFile(join(dir, 'index.html'));
    } catch {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build`, then reload.');
    }
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('referrer-policy', 'no-referrer')
      .send(html);
  };
}

export function dashboardRoutes(app: FastifyInstance): void {
  const dir = dashboardDir();
  const sendIndex = indexSender(dir);
  const page = { tags: ['Dashboard'], response: { 200: Html, 503: NotBuilt } };
  for (const path of DASHBOARD_PATHS) {
    app.get(path, { schema: { ...page, description: `Dashboard page ${path}.` } }, (_req, reply) =>
      sendIndex(reply, 200),
    );
  }
  app.get(
    '/assets/:file',
    {
      // Static files of the build; a page load must not spend the caller's request budget.
      config: { rateLimit: false },
      schema: {
        tags: ['Dashboard'],
        description:
          "The dashboard's scripts and styles (content-hashed names, cached for a year).",
        params: Type.Object({ file: Type.String({ maxLength: 200 }) }),
        response: {
          200: {
            description: 'A built script or style sheet (or an image it uses).',
            content: Object.fromEntries(
              [...new Set(Object.values(TYPES))].map((type) => [
                type.split(';')[0]!,
                { schema: Type.String() },
              ]),
            ),
          },
          404: {
            description: 'No such file in the build.',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      const type = TYPES[extname(file)];
      // Only plain names of the build's own kinds: never a path out of the assets folder.
      const body =
        type && /^[\w.-]+$/.test(file) && !file.startsWith('.')
          ? await readFile(join(dir, 'assets', file)).catch(() => undefined)
          : undefined;
      if (!body) {
        return reply.code(404).type('text/plain; charset=utf-8').send(`No asset '${file}'.`);
      }
      return reply
        .type(type!)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
}

/**
 * The connect pages: the dashboard's page for a known catalog, and the same app (which says
 * the catalog does not exist) with a 404 for an unknown one.
 */
export function connectPageRoute(app: FastifyInstance, registry: Registry): void {
  const sendIndex = indexSender(dashboardDir());
  app.get(
    CONNECT_PATH,
    {
      schema: {
        tags: ['Dashboard'],
        description:
          "The connect page AUTH_REQUIRED's connect_url points at: the dashboard page where a person stores a login for the catalog (paste a browser session or token, or sign in through the catalog's login form). 404 (with the same page, which says so) for an unknown catalog.",
        params: Type.Object({ slug: Type.String({ maxLength: 100 }) }),
        response: { 200: Html, 404: Html, 503: NotBuilt },
      },
    },
    (request, reply) => {
      const { slug } = request.params as { slug: string };
      return sendIndex(reply, registry.catalog(slug) ? 200 : 404);
    },
  );
}
