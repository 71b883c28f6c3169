// Request and response schemas of the Wire API. Fastify validates requests with them and
// serializes responses through them, so a field not declared here never leaves the server.
import { type TSchema, Type } from 'typebox';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
/** A JSON object whose keys are the action's business (results, params, metadata). */
export const AnyObject = Type.Object({}, { additionalProperties: true });
const Uuid = Type.String({ format: 'uuid' });

export const ErrorEnvelope = Type.Object({
  status: Type.Literal('error'),
  error: Type.Object(
    {
      code: Type.String(),
      message: Type.String(),
      details: Opt(Type.String()),
      issues: Opt(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
      connect_url: Opt(Type.String()),
      balance: Opt(Type.Integer()),
      required: Opt(Type.Integer()),
      missing_fields: Opt(Type.Array(Type.String())),
    },
    { additionalProperties: false },
  ),
});

export const Parameter = Type.Object({
  name: Type.String(),
  type: Type.String(),
  required: Type.Boolean(),
  default: Opt(Type.Unknown()),
  description: Type.String(),
});

export const CatalogEntry = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  url: Type.String(),
  domain: Type.String(),
  category: Type.String(),
  description: Type.String(),
  logo_url: Type.String(),
  auth_required: Type.Boolean(),
  auth_type: Opt(Type.String()),
  auth_types: Type.Array(Type.String()),
  auth_login_url: Opt(Type.String()),
  status: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  action_count: Type.Integer(),
});

export const ActionInfo = Type.Object({
  id: Type.String(),
  action_id: Type.String(),
  catalog_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  type: Type.String(),
  mode: Type.String(),
  auth_mode: Type.String(),
  auth_required: Type.Boolean(),
  parameters: Type.Array(Parameter),
  input_schema: AnyObject,
  output_schema: AnyObject,
  credits_per_call: Type.Integer(),
  status: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const SearchResult = Type.Object({
  action_id: Type.String(),
  catalog_name: Type.String(),
  catalog_slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  mode: Type.String(),
  auth_mode: Type.String(),
  auth_required: Type.Boolean(),
  connected: Type.Boolean(),
  params: Type.Array(Parameter),
  credits: Type.Integer(),
});

const ParamRef = Type.Object({ name: Type.String(), type: Type.String() });

export const ResolveResult = Type.Object({
  action_id: Type.String(),
  catalog: Type.String(),
  credits: Type.Integer(),
  auth_required: Type.Boolean(),
  auth_satisfied: Type.Union([Type.Boolean(), Type.Null()]),
  params: Type.Object({ required: Type.Array(ParamRef), optional: Type.Array(ParamRef) }),
});

export const TaskBody = Type.Object(
  {
    action_id: Type.String({ minLength: 1, maxLength: 200 }),
    params: Opt(AnyObject),
    credential_id: Opt(Uuid),
    identity_id: Opt(Uuid),
    webhook_url: Opt(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const Accepted = Type.Object({
  status: Type.Literal('processing'),
  job_id: Type.String(),
  poll_url: Type.String(),
});

const FileInfo = Type.Object({
  name: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
});

/** `GET /jobs/{id}`: one object covering the three states; absent fields are omitted. */
export const JobBodySchema = Type.Object({
  status: Type.String(),
  job_id: Opt(Type.String()),
  retry_after_ms: Opt(Type.Integer()),
  queue_position: Opt(Type.Integer({ minimum: 1 })),
  data: Opt(AnyObject),
  credits_used: Opt(Type.Integer()),
  execution_ms: Opt(Type.Integer()),
  files: Opt(Type.Array(FileInfo)),
  error: Opt(Type.Object({ code: Type.String(), message: Type.String() })),
});

/** `GET /jobs/{id}/download?file=`: the name as `files[]` lists it. */
export const DownloadQuery = Type.Object(
  {
    file: Type.String({
      minLength: 1,
      maxLength: 200,
      description: "A name from the job's `files[]`, e.g. screenshot.png.",
    }),
  },
  { additionalProperties: false },
);

/** The download's body: the file's bytes, with its own content type. */
export const FileDownload = {
  description: "The file's bytes, with its content type and `Content-Disposition: attachment`.",
  content: {
    'application/octet-stream': {
      schema: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' }),
    },
  },
};

export const JobItem = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  action_id: Type.String(),
  action_name: Type.String(),
  catalog_id: Type.String(),
  catalog_slug: Type.String(),
  params: AnyObject,
  status: Type.String(),
  result: Opt(AnyObject),
  credits_used: Type.Integer(),
  credential_id: Opt(Type.String()),
  credential_type: Opt(Type.String()),
  identity_name: Opt(Type.String()),
  error: Opt(Type.String()),
  created_at: Type.String(),
  completed_at: Opt(Type.String()),
});

export const JobsQuery = Type.Object(
  {
    page: Opt(Type.Integer({ minimum: 1, default: 1 })),
    limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    catalog: Opt(Type.String({ maxLength: 100 })),
    status: Opt(Type.Enum(['processing', 'completed', 'failed', 'queued', 'running'])),
    search: Opt(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const Credential = Type.Object({
  id: Type.String(),
  identity_id: Type.String(),
  credential_type: Type.String(),
  status: Type.String(),
  status_reason: Opt(Type.String()),
  expires_at: Opt(Type.String()),
  last_used_at: Opt(Type.String()),
  last_verified_at: Opt(Type.String()),
  metadata: AnyObject,
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const Identity = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  catalog_id: Type.String(),
  name: Type.String(),
  is_default: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
  credentials: Type.Array(Credential),
});

const CredentialType = Type.Enum(['browser_state', 'credentials', 'api_key', 'token']);

export const NewCredentialBody = Type.Object(
  {
    credential_type: CredentialType,
    data: Type.Unknown(),
    metadata: Opt(AnyObject),
    /** Store a login the site's probe rejects, as `expired`, instead of refusing it. */
    keep_expired: Opt(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const NewIdentityBody = Type.Object(
  {
    catalog_id: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    is_default: Opt(Type.Boolean()),
    credential: Opt(
      Type.Object(
        {
          type: CredentialType,
          data: Type.Unknown(),
          metadata: Opt(AnyObject),
          keep_expired: Opt(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `PATCH /identities/{id}`: at least one field; anything else is a 400. */
export const UpdateIdentityBody = Type.Object(
  {
    name: Opt(Type.String({ minLength: 1, maxLength: 200 })),
    is_default: Opt(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** The body of a change that returns nothing else. */
export const Ok = Type.Object({ status: Type.Literal('ok') });

export const LedgerItem = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  amount: Type.Integer(),
  job_id: Opt(Type.String()),
  note: Opt(Type.String()),
  created_at: Type.String(),
});

export const PageQuery = Type.Object(
  {
    page: Opt(Type.Integer({ minimum: 1, default: 1 })),
    limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
