// Public surface of the MCP server.
export { createMcpServer, serveMcpOverStdio } from './mcp.server.js';
