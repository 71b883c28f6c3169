// What the OpenAPI document says beyond each route's own schemas: the error envelopes every
// route can answer with (bad input, auth, body limits, rate limits, faults), the headers every
// response carries, and a tag per area. Applied when a route is registered, so the document
// and the serializer see the same response schemas, and routes added later get them too.
import type { RouteOptions } from 'fastify';
import type { TSchema } from 'typebox';

import { ErrorEnvelope } from './schemas.js';

/** A named OpenAPI example: `summary` says which case it shows. */
export interface NamedExample {
  summary: string;
  value: unknown;
}

/** How `documented` describes a response or body schema in the OpenAPI document. */
export interface Documentation {
  /** The response's description (OpenAPI requires one; never "Default Response"). */
  description: string;
  /** Named examples, shown by the API reference next to the schema. */
  examples?: Record<string, NamedExample>;
  /** Response headers beyond `X-Request-Id`, which every response carries. */
  headers?: Record<string, Record<string, unknown>>;
}

/**
 * `schema` with its OpenAPI description, examples and headers. A copy: the shared schemas
 * stay as they are. (@fastify/swagger turns `x-examples` into the media type's examples.)
 */
export function documented<T extends TSchema>(schema: T, doc: Documentation): T {
  return {
    ...schema,
    description: doc.description,
    ...(doc.examples ? { 'x-examples': doc.examples } : {}),
    ...(doc.headers ? { headers: doc.headers } : {}),
  };
}

const envelope = (code: string, message: string, extras: Record<string, unknown> = {}) => ({
  status: 'error',
  error: { code, message, ...extras },
});

/** The error statuses the API answers with, each with what it means and a typical body. */
const ERRORS: Record<number, { description: string; examples: Record<string, NamedExample> }> = {
  400: {
    description:
      'BAD_REQUEST: malformed JSON, a wrong type, an unknown field or a bad query parameter; `issues` points at each problem.',
    examples: {
      badRequest: {
        summary: 'A field is missing',
        value: envelope(
          'BAD_REQUEST',
          "The request body is invalid: /action_id 'action_id' is required",
          {
            details: "/action_id: 'action_id' is required",
            issues: [{ path: '/action_id', message: "'action_id' is required" }],
          },
        ),
      },
    },
  },
  401: {
    description: 'UNAUTHORIZED: the API key is missing, unknown or revoked.',
    examples: {
      unauthorized: {
        summary: 'No key, or a revoked one',
        value: envelope('UNAUTHORIZED', 'The API key is invalid or has been revoked.'),
      },
    },
  },
  402: {
    description: 'INSUFFICIENT_CREDITS: the balance does not cover the cost; nothing was charged.',
    examples: {
      insufficientCredits: {
        summary: 'Not enough credits',
        value: envelope('INSUFFICIENT_CREDITS', 'You need 5 credits. Current balance: 2', {
          balance: 2,
          required: 5,
        }),
      },
    },
  },
  403: {
    description: 'FORBIDDEN: the credential is not the caller’s, or belongs to another catalog.',
    examples: {
      forbidden: {
        summary: 'Someone else’s credential',
        value: envelope('FORBIDDEN', 'Credential does not belong to this user or catalog'),
      },
    },
  },
  404: {
    description:
      'NOT_FOUND: no such resource, or it belongs to someone else (answered exactly like an unknown id).',
    examples: {
      notFound: {
        summary: 'An unknown id',
        value: envelope('NOT_FOUND', "Job '6f1c2a7e-3b1d-4f0a-9e51-2c8d7b4a1e90' not found."),
      },
    },
  },
  409: {
    description:
      'CONFLICT: the request clashes with the current state (a duplicate name, a finished job).',
    examples: {
      conflict: {
        summary: 'The state does not allow it',
        value: envelope('CONFLICT', 'Job is already completed.'),
      },
    },
  },
  413: {
    description: 'PAYLOAD_TOO_LARGE: the body is over the server’s limit (1 MiB by default).',
    examples: {
      tooLarge: {
        summary: 'A body over the limit',
        value: envelope(
          'PAYLOAD_TOO_LARGE',
          'The request body is larger than this server accepts.',
        ),
      },
    },
  },
  415: {
    description: 'UNSUPPORTED_MEDIA_TYPE: a request body that is not `application/json`.',
    examples: {
      notJson: {
        summary: 'A text/plain body',
        value: envelope('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.'),
      },
    },
  },
  422: {
    description:
      'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with a different body; nothing was charged.',
    examples: {
      keyReused: {
        summary: 'Same key, another body',
        value: envelope(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different request body.',
        ),
      },
    },
  },
  429: {
    description:
      'RATE_LIMITED: too many requests this minute; wait `Retry-After` seconds and try again.',
    examples: {
      rateLimited: {
        summary: 'Over the per-minute budget',
        value: envelope(
          'RATE_LIMITED',
          'Too many requests: at most 1200 per minute. Retry in 12 s.',
        ),
      },
    },
  },
  500: {
    description:
      'INTERNAL_ERROR (or EXECUTION_FAILED on POST /task): a fault on our side; the log has the details under the request id.',
    examples: {
      internal: {
        summary: 'An unexpected fault',
        value: envelope('INTERNAL_ERROR', 'Something went wrong on our side. Please try again.'),
      },
    },
  },
  502: {
    description:
      'LOGIN_FAILED: the sign-in through the site’s login form did not finish (the site failed, or answered in a way Taskwire does not recognise).',
    examples: {
      loginFailed: {
        summary: 'The login page never answered',
        value: envelope('LOGIN_FAILED', 'LinkedIn did not finish signing in within 60 s.'),
      },
    },
  },
  503: {
    description: 'ACTION_UNAVAILABLE: the action is disabled on this server.',
    examples: {
      unavailable: {
        summary: 'A disabled action',
        value: envelope('ACTION_UNAVAILABLE', "Action 'web_scrape' is disabled on this server."),
      },
    },
  },
};

/**
 * The error envelope for `status`, described and with a typical example; `examples` replaces
 * the example when a route knows its own cases (POST /task's three kinds of 401, say).
 */
export function errorResponse(
  status: number,
  override: { description?: string; examples?: Record<string, NamedExample> } = {},
): typeof ErrorEnvelope {
  const known = ERRORS[status];
  return documented(ErrorEnvelope, {
    description: override.description ?? known?.description ?? `An error (HTTP ${status}).`,
    examples: override.examples ?? known?.examples ?? {},
  });
}

const REQUEST_ID = {
  'X-Request-Id': {
    type: 'string',
    format: 'uuid',
    description: "This request's id, on every response; quote it when reporting a problem.",
  },
};

const RATE_LIMIT_HEADERS = {
  'Retry-After': { type: 'integer', description: 'Seconds to wait before trying again.' },
  'x-ratelimit-limit': { type: 'integer', description: 'Requests allowed per minute.' },
  'x-ratelimit-remaining': { type: 'integer', description: 'Requests left this minute.' },
  'x-ratelimit-reset': { type: 'integer', description: 'Seconds until the budget refills.' },
};

/** Methods whose requests may carry a body, and so can be too large or not JSON. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The reference's sections, by the first segment of the path under the prefix. */
const TAGS: Record<string, string> = {
  catalog: 'Discovery',
  search: 'Discovery',
  resolve: 'Discovery',
  task: 'Tasks and jobs',
  jobs: 'Tasks and jobs',
  identities: 'Identities',
  credentials: 'Identities',
  login: 'Identities',
  credits: 'Credits',
  webhooks: 'Webhooks',
};

function tagOf(url: string): string {
  if (url.startsWith('/products/')) return 'Identities';
  const segment = /^\/v1\/(?:wire|holocron)\/([^/]+)/.exec(url)?.[1];
  return (segment && TAGS[segment]) ?? 'Service';
}

type ResponseMap = Record<string, Record<string, unknown>>;

/** The documented error envelope for a status, as a plain response-map entry. */
function errorSchema(
  status: number,
  override?: { description?: string; examples?: Record<string, NamedExample> },
): ResponseMap[string] {
  return { ...errorResponse(status, override) };
}

/** What a success means when the route's schema does not say (never "Default Response"). */
const SUCCESS: Record<number, string> = {
  200: 'OK.',
  201: 'Created.',
  202: 'Accepted: the job is queued; poll `poll_url` (or GET /jobs/{id}?wait=30) for the result.',
};

interface Media {
  type: string;
  description: string;
  /** Descriptions of the route's own non-JSON error answers, by status. */
  errors?: Record<number, string>;
}

/**
 * Routes that answer text or an image rather than JSON: their `Type.String()` schema is
 * published under the media type they really send, not as a JSON string.
 */
const MEDIA: Record<string, Media> = {
  '/llms.txt': {
    type: 'text/plain',
    description: 'A one-screen guide to the API for LLM agents (the llms.txt convention).',
  },
  '/metrics': {
    type: 'text/plain',
    description: 'Prometheus metrics in the text exposition format.',
  },
  '/static/logos/:file': {
    type: 'image/svg+xml',
    description: "A catalog's monogram logo, as `logo_url` names it.",
  },
  '/products/holocron/:slug/connect': {
    type: 'text/html',
    description:
      'The connect page (HTML) where a person stores a login for the catalog: paste a browser session or token, or sign in through its login form.',
    errors: { 404: 'NOT_FOUND: no catalog has this slug; the page (HTML) says so.' },
  },
};

/** Error cases a route knows better than the generic ones, by path under the prefix. */
const ROUTE_ERRORS: Record<
  string,
  Record<number, { description?: string; examples?: Record<string, NamedExample> }>
> = {
  '/task': {
    400: {
      description:
        'BAD_REQUEST (the body is malformed) or INVALID_PARAMS (`params` do not match the action’s input schema); nothing is charged.',
      examples: {
        ...ERRORS[400]!.examples,
        invalidParams: {
          summary: 'params break the input schema',
          value: envelope('INVALID_PARAMS', "The params do not match the action's input schema.", {
            details: "/params/message: 'message' is required",
            issues: [{ path: '/params/message', message: "'message' is required" }],
          }),
        },
      },
    },
    401: {
      description:
        'UNAUTHORIZED (bad API key), AUTH_REQUIRED (the action needs a login you have not connected; see `connect_url`) or AUTH_EXPIRED (the credential is no longer active).',
      examples: {
        ...ERRORS[401]!.examples,
        authRequired: {
          summary: 'No identity for the catalog',
          value: envelope('AUTH_REQUIRED', 'This action requires a LinkedIn connection.', {
            connect_url: '/products/holocron/linkedin/connect',
          }),
        },
        authExpired: {
          summary: 'The credential has expired',
          value: envelope('AUTH_EXPIRED', 'Credential is no longer active. Please reconnect.'),
        },
      },
    },
    404: {
      description: 'NOT_FOUND: no action has this `action_id`, or the credential is unknown.',
      examples: {
        unknownAction: {
          summary: 'An unknown action',
          value: envelope('NOT_FOUND', "Unknown action_id 'linkedin_nope'"),
        },
      },
    },
  },
  '/login': {
    400: {
      description:
        'BAD_REQUEST (the body is malformed) or INVALID_PARAMS (a login field is missing or wrong; `missing_fields` names the absent ones). No browser was started.',
      examples: {
        missingField: {
          summary: 'No password',
          value: envelope(
            'INVALID_PARAMS',
            'Signing in to LinkedIn needs password (its login fields: username, password).',
            {
              missing_fields: ['password'],
              details: "/params/password: 'password' is required",
              issues: [{ path: '/params/password', message: "'password' is required" }],
            },
          ),
        },
      },
    },
    401: {
      description:
        'UNAUTHORIZED (bad API key), BAD_PASSWORD (the site refused the username or password) or MFA_REQUIRED (the site asks for a one-time code; `missing_fields` names the field to send).',
      examples: {
        ...ERRORS[401]!.examples,
        badPassword: {
          summary: 'The site refused the password',
          value: envelope('BAD_PASSWORD', 'LinkedIn did not accept that email and password.'),
        },
        mfaRequired: {
          summary: 'A one-time code is needed',
          value: envelope('MFA_REQUIRED', 'Amazon asks for a one-time code.', {
            missing_fields: ['totp_secret'],
          }),
        },
      },
    },
    403: {
      description:
        'CAPTCHA_REQUIRED: the site showed a challenge; sign in once in a browser and connect by pasting its session (`connect_url`).',
      examples: {
        captcha: {
          summary: 'A challenge page',
          value: envelope(
            'CAPTCHA_REQUIRED',
            'LinkedIn showed a security check. Sign in once in an ordinary browser and connect by pasting its session instead.',
            { connect_url: '/products/holocron/linkedin/connect' },
          ),
        },
      },
    },
  },
  '/metrics': {
    403: {
      description:
        'FORBIDDEN: metrics are open to loopback clients, or to others with the metrics token as a Bearer token.',
      examples: {
        forbidden: {
          summary: 'A remote client without the token',
          value: envelope(
            'FORBIDDEN',
            'Metrics are open to loopback clients or with the metrics token.',
          ),
        },
      },
    },
  },
};

/** `url` without its Wire prefix: `/v1/wire/task` → `/task`; root routes stay as they are. */
function routePath(url: string): string {
  return url.replace(/^\/v1\/(?:wire|holocron)(?=\/)/, '');
}

/** A `Type.String()` answer of a text route, republished under its real media type. */
function asMedia(body: Record<string, unknown>, media: Media, status: number) {
  const { description, headers, ...schema } = body;
  return {
    description:
      description ??
      (status < 300 ? media.description : (media.errors?.[status] ?? ERRORS[status]?.description)),
    content: { [media.type]: { schema } },
    ...(headers ? { headers } : {}),
  };
}

/**
 * Adds to a route's responses what every such route can answer: 400 when it validates
 * input, 401 when it authenticates (`authenticates` names the auth hooks), 413/415 when it
 * takes a body, 429 (all but `/health`, which is never limited) and 500; every response
 * also documents `X-Request-Id`, and each gets a description. A status the route declares
 * itself keeps its schema (the serializer uses it, so extras like `connect_url` stay).
 */
export function documentRoute(
  route: RouteOptions,
  authenticates: (hook: unknown) => boolean,
): void {
  const schema = route.schema;
  if (!schema?.response) return;
  const methods = [route.method].flat().map(String);
  const hooks = [route.preHandler ?? []].flat();
  const path = routePath(route.url);
  const overrides = ROUTE_ERRORS[path] ?? {};
  const added = new Set<number>([500]);
  if (schema.body || schema.querystring || schema.params || schema.headers) added.add(400);
  if (hooks.some(authenticates)) added.add(401);
  if (methods.some((m) => BODY_METHODS.has(m))) [400, 413, 415].forEach((s) => added.add(s));
  if (route.url !== '/health') added.add(429);

  const declared = schema.response as ResponseMap;
  const response: ResponseMap = { ...declared };
  for (const status of added) response[status] ??= errorSchema(status, overrides[status]);
  for (const [status, body] of Object.entries(response)) {
    const code = Number(status);
    let filled = body;
    // A bare ErrorEnvelope declared by a route gets the status's description and example.
    if (body.description === undefined && body.properties === ErrorEnvelope.properties) {
      filled = errorSchema(code, overrides[code]);
    } else if (MEDIA[route.url] && body.type === 'string' && body.content === undefined) {
      filled = asMedia(body, MEDIA[route.url]!, code);
    } else if (body.description === undefined) {
      const known = code >= 400 ? { ...ERRORS[code], ...overrides[code] } : undefined;
      const description = SUCCESS[code] ?? known?.description;
      if (description) filled = { ...body, description };
      // An error schema of the route's own still shows a typical body.
      if (known?.examples && body['x-examples'] === undefined) {
        filled = { ...filled, 'x-examples': known.examples };
      }
    }
    response[status] = {
      ...filled,
      headers: {
        ...REQUEST_ID,
        ...(code === 429 ? RATE_LIMIT_HEADERS : {}),
        ...(filled.headers as object | undefined),
      },
    };
  }
  route.schema = {
    ...schema,
    response,
    ...(schema.tags ? {} : { tags: [tagOf(route.url)] }),
  };
}
