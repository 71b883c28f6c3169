// The MCP tools Taskwire offers an agent: discovery, run-and-wait, job status, identities and
// credits as fixed tools, plus one generated tool per action whose input schema is that
// action's own params schema. Each tool is a thin call through the TypeScript SDK.
import { JobFailedError, type Taskwire, TimeoutError } from '@taskwire/client';

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: {
    type: 'object';
    properties?: Record<string, unknown>;
    required?: string[];
    [k: string]: unknown;
  };
  call(args: Record<string, unknown>): Promise<unknown>;
}

/** How long a run tool waits for the result before handing back the job id. */
const RUN_WAIT_MS = 120_000;

const str = (description: string) => ({ type: 'string', description });

/** A tool argument as text; the client checks types against the schemas before calling. */
const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** Submits, waits (bounded), and reports the result, the failure, or the job to poll. */
async function runAndWait(
  client: Taskwire,
  actionId: string,
  params: Record<string, unknown>,
  options: { credentialId?: string; identityId?: string; waitMs?: number },
): Promise<unknown> {
  try {
    const data = await client.run(actionId, params, {
      timeoutMs: options.waitMs ?? RUN_WAIT_MS,
      ...(options.credentialId ? { credentialId: options.credentialId } : {}),
      ...(options.identityId ? { identityId: options.identityId } : {}),
    });
    return { status: 'completed', data };
  } catch (error) {
    if (error instanceof JobFailedError) {
      return {
        status: 'failed',
        job_id: error.jobId,
        error: { code: error.code, message: error.message },
      };
    }
    if (error instanceof TimeoutError && error.jobId) {
      return {
        status: 'processing',
        job_id: error.jobId,
        hint: 'Call get_job with this job_id to follow it.',
      };
    }
    throw error;
  }
}

export function fixedTools(client: Taskwire): ToolSpec[] {
  return [
    {
      name: 'search_actions',
      description:
        'Find website actions by what you want to do (e.g. "scrape a linkedin profile"). Returns action ids, their params and costs.',
      inputSchema: {
        type: 'object',
        properties: { query: str('What you want to do'), catalog: str('Only this catalog slug') },
        required: ['query'],
      },
      call: (args) =>
        client.search(text(args.query), args.catalog ? { catalog: text(args.catalog) } : {}),
    },
    {
      name: 'get_catalog',
      description:
        'List the catalogs (sites), or with a slug, one catalog with its actions, parameters and output schemas.',
      inputSchema: {
        type: 'object',
        properties: { slug: str('A catalog slug such as "linkedin"') },
      },
      call: (args) => (args.slug ? client.catalogEntry(text(args.slug)) : client.catalog()),
    },
    {
      name: 'run_action',
      description:
        'Run an action and wait for its result (up to 2 minutes; longer jobs return a job_id for get_job). Credits are charged on submit and refunded if the job fails.',
      inputSchema: {
        type: 'object',
        properties: {
          action_id: str('The action to run, e.g. "web_scrape"'),
          params: {
            type: 'object',
            description: "The action's parameters (see search_actions / get_catalog)",
          },
          credential_id: str('Run with this stored credential'),
          identity_id: str("Run with this identity's active credential"),
        },
        required: ['action_id'],
      },
      call: (args) =>
        runAndWait(client, text(args.action_id), (args.params as Record<string, unknown>) ?? {}, {
          ...(args.credential_id ? { credentialId: text(args.credential_id) } : {}),
          ...(args.identity_id ? { identityId: text(args.identity_id) } : {}),
        }),
    },
    {
      name: 'get_job',
      description: "A job's status and result; wait_seconds (up to 60) waits for it to finish.",
      inputSchema: {
        type: 'object',
        properties: {
          job_id: str('The job id'),
          wait_seconds: { type: 'integer', minimum: 0, maximum: 60 },
        },
        required: ['job_id'],
      },
      call: (args) =>
        client.job(
          text(args.job_id),
          args.wait_seconds !== undefined ? { wait: Number(args.wait_seconds) } : {},
        ),
    },
    {
      name: 'cancel_job',
      description: 'Cancel a queued or running job; its credits are refunded.',
      inputSchema: {
        type: 'object',
        properties: { job_id: str('The job id') },
        required: ['job_id'],
      },
      call: (args) => client.cancel(text(args.job_id)),
    },
    {
      name: 'list_identities',
      description:
        'Your stored logins per site (metadata only, never secrets), to pick a credential_id.',
      inputSchema: { type: 'object', properties: { catalog: str('Only this catalog slug') } },
      call: (args) => client.identities(args.catalog ? { catalogId: text(args.catalog) } : {}),
    },
    {
      name: 'get_credits',
      description: 'Your credit balance and recent ledger entries.',
      inputSchema: { type: 'object', properties: {} },
      call: () => client.credits({ limit: 20 }),
    },
  ];
}

/** One tool per action, named by its action id, taking exactly the action's params. */
export async function actionTools(client: Taskwire): Promise<ToolSpec[]> {
  const tools: ToolSpec[] = [];
  for (const entry of await client.catalog()) {
    const detail = await client.catalogEntry(entry.slug);
    for (const action of detail.actions) {
      tools.push({
        name: action.action_id,
        description: `${action.name} (${entry.name}, ${action.credits_per_call} credits${action.auth_required ? ', needs a connected login' : ''}): ${action.description}`,
        inputSchema: { ...(action.input_schema as Record<string, unknown>), type: 'object' },
        call: (args) => runAndWait(client, action.action_id, args, {}),
      });
    }
  }
  return tools;
}
