// `taskwire mcp`: a Model Context Protocol server on stdio for AI agents, speaking to a
// Taskwire (or any Wire) server through the TypeScript SDK.
import type { Taskwire } from '@taskwire/client';
import { TaskwireError } from '@taskwire/client';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { actionTools, fixedTools, type ToolSpec } from './tools.js';

/** Builds the MCP server with the fixed tools and, unless disabled, one tool per action. */
export async function createMcpServer(
  client: Taskwire,
  options: { perAction: boolean },
): Promise<Server> {
  const tools = new Map<string, ToolSpec>();
  for (const tool of fixedTools(client)) tools.set(tool.name, tool);
  if (options.perAction) {
    // A generated tool never shadows a fixed one.
    for (const tool of await actionTools(client))
      if (!tools.has(tool.name)) tools.set(tool.name, tool);
  }
  const server = new Server(
    { name: 'taskwire', version: '0.1.0' },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...tools.values()].map(({ name, description, inputSchema }) => ({
      name,
      description,
      inputSchema,
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = tools.get(request.params.name);
    if (!tool) {
      return {
        isError: true,
        content: [{ type: 'text', text: `Unknown tool '${request.params.name}'.` }],
      };
    }
    try {
      const result = await tool.call(request.params.arguments ?? {});
      return { content: [{ type: 'text', text: JSON.stringify(result, null, 2) }] };
    } catch (error) {
      // Errors go back to the agent as tool results it can read and act on.
      const text =
        error instanceof TaskwireError
          ? JSON.stringify({
              code: error.code,
              message: error.message,
              ...(error.issues ? { issues: error.issues } : {}),
              ...(error.connectUrl ? { connect_url: error.connectUrl } : {}),
            })
          : error instanceof Error
            ? error.message
            : String(error);
      return { isError: true, content: [{ type: 'text', text }] };
    }
  });
  return server;
}

export async function serveMcpOverStdio(
  client: Taskwire,
  options: { perAction: boolean },
): Promise<void> {
  const server = await createMcpServer(client, options);
  await server.connect(new StdioServerTransport());
}
