// Public surface of the API: the Fastify application factory.
export type { ApiDeps } from './context.js';
export { buildServer, listRoutes, WIRE_PREFIXES } from './server.js';
