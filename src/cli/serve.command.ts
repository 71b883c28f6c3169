// `taskwire serve`: the API (and, by default, a worker) on one machine. On an empty database
// it creates the first account and prints its API key once, with a curl line to try.
import type { Command } from 'commander';

import { countAccounts, createAccount, createApiKey } from '../accounts/index.js';
import { createTaskwire } from '../app.js';
import { addConfigFlags, configFromFlags, SECRET_SETTINGS } from './config-flags.js';

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the Wire API (and an in-process worker); every setting is also a flag')
    .option('--no-worker', 'serve the API only; run workers elsewhere');
  addConfigFlags(serve, ['worker', ...SECRET_SETTINGS]).action(
    async (flags: Record<string, unknown> & { worker: boolean }) => {
      const config = configFromFlags(flags, flags.worker ? {} : { worker: 'false' });
      const taskwire = await createTaskwire({ config });
      let firstKey: string | undefined;
      if ((await countAccounts(taskwire.store.db)) === 0) {
        const account = await createAccount(taskwire.store.db, {
          name: 'default',
          credits: config.startingCredits,
        });
        firstKey = (await createApiKey(taskwire.store.db, account.id)).key;
      }
      const url = await taskwire.listen();
      const lines = [`Taskwire is listening on ${url} (data: ${config.dataDir})`];
      if (firstKey) {
        lines.push(
          '',
          `Created the first account with ${config.startingCredits} credits. Its API key, shown only this once:`,
          '',
          `  ${firstKey}`,
          '',
          'Try it:',
          `  curl -s -X POST ${url}/v1/wire/task -H "X-API-Key: ${firstKey}" -H "Content-Type: application/json" \\`,
          `    -d '{"action_id":"web_scrape","params":{"url":"https://example.com"}}'`,
          '',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      const shutdown = (signal: string): void => {
        taskwire.logger.info({ signal }, 'shutting down');
        void taskwire.close().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
  );
}

export function registerWorker(program: Command): void {
  const worker = program
    .command('worker')
    .description('run a worker only: claim and run jobs from the shared database, no API');
  addConfigFlags(worker, ['worker', 'host', 'port', ...SECRET_SETTINGS]).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const taskwire = await createTaskwire({ config });
      taskwire.work();
      process.stdout.write(`Taskwire worker running (data: ${config.dataDir})\n`);
      const shutdown = (signal: string): void => {
        taskwire.logger.info({ signal }, 'shutting down');
        void taskwire.close().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
  );
}
