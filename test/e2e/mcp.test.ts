// `taskwire mcp` in a real MCP client session over stdio: the tools are listed with each
// action's params schema, and calls run actions against a real server.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { startTestServer, type TestServer } from '../support/taskwire.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
  client = new Client({ name: 'taskwire-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      env: {
        ...(process.env as Record<string, string>),
        TASKWIRE_URL: server.url,
        TASKWIRE_API_KEY: server.key,
      },
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

const textOf = (result: Awaited<ReturnType<Client['callTool']>>): any =>
  JSON.parse((result.content as Array<{ type: string; text: string }>)[0]!.text);

describe('taskwire mcp', () => {
  it('lists the fixed tools and one tool per action with its params schema', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'search_actions',
        'run_action',
        'get_job',
        'cancel_job',
        'list_identities',
        'get_credits',
        'web_scrape',
        'li_profile_scrape',
        'test_echo',
      ]),
    );
    const scrape = tools.find((t) => t.name === 'web_scrape')!;
    expect(scrape.inputSchema.properties).toHaveProperty('url');
    expect(scrape.inputSchema.required).toEqual(['url']);
  });

  it('finds actions and runs one through its own tool and through run_action', async () => {
    const found = textOf(
      await client.callTool({ name: 'search_actions', arguments: { query: 'linkedin profile' } }),
    );
    expect(found[0].action_id).toBe('li_profile_scrape');
    const echoed = textOf(
      await client.callTool({ name: 'test_echo', arguments: { message: 'from an agent' } }),
    );
    expect(echoed).toEqual({ status: 'completed', data: { message: 'from an agent' } });
    const ran = textOf(
      await client.callTool({
        name: 'run_action',
        arguments: { action_id: 'test_flaky', params: { key: 'mcp', failures: 0 } },
      }),
    );
    expect(ran).toEqual({ status: 'completed', data: { attempts: 1 } });
    const credits = textOf(await client.callTool({ name: 'get_credits', arguments: {} }));
    expect(credits.balance).toBe(100 - 1 - 3);
  });

  it('reports failures and bad input as tool errors the agent can read', async () => {
    const failed = textOf(
      await client.callTool({
        name: 'run_action',
        arguments: { action_id: 'test_slow', params: { ms: 2000 } },
      }),
    );
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    const invalid = await client.callTool({
      name: 'run_action',
      arguments: { action_id: 'test_echo', params: { message: 5 } },
    });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatchObject({
      code: 'INVALID_PARAMS',
      issues: [{ path: '/message' }],
    });
    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {} });
    expect(unknown.isError).toBe(true);
  });
});
