#!/usr/bin/env node
// The `taskwire` command: serve, and the operator commands.
import { Command } from 'commander';

import { registerAdminCommands } from './admin.commands.js';
import { registerClientCommands, registerMcp } from './client.commands.js';
import { registerRun } from './run.command.js';
import { registerServe, registerWorker } from './serve.command.js';

const program = new Command('taskwire')
  .description('Self-hosted Wire v1 action API: run website actions as durable jobs')
  .showHelpAfterError();
registerServe(program);
registerWorker(program);
registerAdminCommands(program);
registerRun(program);
registerClientCommands(program);
registerMcp(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`taskwire: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
