// `taskwire serve`: the API (and, by default, a worker) on one machine. On an empty database
// it creates the first account and prints its API key once, with a curl line to try.
// `taskwire worker`: a worker only. Both shut down gracefully on SIGTERM or SIGINT.
import type { Command } from 'commander';

import { countAccounts, createAccount, createApiKey } from '../accounts/index.js';
import type { Taskwire } from '../app.js';
import type { Config } from '../config/index.js';
import { addConfigFlags, configFromFlags, SECRET_SETTINGS } from './config-flags.js';

/**
 * Builds the whole application. Imported only when a server or worker starts: it pulls in
 * Fastify, Playwright and the database drivers, which every other command (and `--help`)
 * would otherwise load for nothing.
 */
async function startApp(config: Config): Promise<Taskwire> {
  const { createTaskwire } = await import('../app.js');
  return createTaskwire({ config });
}

/**
 * On the first SIGTERM/SIGINT: a graceful close (see `Taskwire.close`), exit 0 once done, 1 if
 * closing failed. A second signal while closing exits at once; leases of jobs still running
 * then lapse and the reaper of another worker takes them back. Installed before the process
 * says it is ready: a signal that arrives with no handler kills it outright.
 */
function exitOnSignals(taskwire: Taskwire): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) {
      taskwire.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    closing = true;
    taskwire.logger.info(
      { signal, graceMs: taskwire.config.shutdownGraceMs },
      'shutting down: no new jobs claimed; running jobs get the grace period',
    );
    taskwire.close().then(
      () => {
        taskwire.logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        taskwire.logger.error({ err: error }, 'shutting down failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the Wire API (and an in-process worker); every setting is also a flag')
    .option('--no-worker', 'serve the API only; run workers elsewhere');
  // Serve's /metrics is on the API port; the worker-only listener is for `taskwire worker`.
  addConfigFlags(serve, ['worker', 'workerMetricsPort', ...SECRET_SETTINGS]).action(
    async (flags: Record<string, unknown> & { worker: boolean }) => {
      const config = configFromFlags(flags, flags.worker ? {} : { worker: 'false' });
      const taskwire = await startApp(config);
      // Before the ready line: whoever reads it may signal at once.
      exitOnSignals(taskwire);
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
      const taskwire = await startApp(config);
      exitOnSignals(taskwire);
      taskwire.work();
      let metricsUrl: string | undefined;
      try {
        metricsUrl = await taskwire.listenForMetrics();
      } catch (error) {
        await taskwire.close();
        throw error;
      }
      const metrics = metricsUrl ? `; metrics at ${metricsUrl}` : '';
      process.stdout.write(`Taskwire worker running (data: ${config.dataDir})${metrics}\n`);
    },
  );
}
