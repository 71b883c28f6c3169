// `taskwire serve`: the API (and, by default, a worker) on one machine. On an empty database
// it creates the first account and prints its API key once, with a curl line to try.
import type { Command } from 'commander';

import { countAccounts, createAccount, createApiKey } from '../accounts/index.js';
import { createTaskwire } from '../app.js';
import { loadConfig } from '../config/index.js';

interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
  worker: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the Wire API (and an in-process worker)')
    .option('--host <host>', 'listen address (TASKWIRE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'listen port (TASKWIRE_PORT, default 8080)')
    .option('--data-dir <dir>', 'data directory (TASKWIRE_DATA_DIR, default ./.data)')
    .option('--database-url <url>', 'database URL (TASKWIRE_DATABASE_URL)')
    .option('--no-worker', 'serve the API only; run workers elsewhere')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig(process.env, {
        ...(flags.host ? { host: flags.host } : {}),
        ...(flags.port ? { port: flags.port } : {}),
        ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
        ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
        ...(flags.worker ? {} : { worker: 'false' }),
      });
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
    });
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker only: claim and run jobs from the shared database, no API')
    .option('--data-dir <dir>', 'data directory (TASKWIRE_DATA_DIR, default ./.data)')
    .option('--database-url <url>', 'database URL (TASKWIRE_DATABASE_URL)')
    .action(async (flags: Pick<ServeFlags, 'dataDir' | 'databaseUrl'>) => {
      const config = loadConfig(process.env, {
        ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
        ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
      });
      const taskwire = await createTaskwire({ config });
      taskwire.work();
      process.stdout.write(`Taskwire worker running (data: ${config.dataDir})\n`);
      const shutdown = (signal: string): void => {
        taskwire.logger.info({ signal }, 'shutting down');
        void taskwire.close().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
