// What the client-side commands share: the SDK client built from flags or TASKWIRE_URL /
// TASKWIRE_API_KEY, output that is readable on a terminal and clean JSON when piped, and
// exit codes scripts can rely on.
import { Taskwire, TaskwireError } from '@taskwire/client';
import type { Command } from 'commander';

/** Exit codes of the client commands (also in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The job ran and failed (or was cancelled). */
  jobFailed: 1,
  /** Bad usage or input: 400, 404, 409, 415, 422, a malformed flag. */
  badInput: 2,
  /** Not allowed: 401, 402, 403 (missing key, no credits, someone else's credential). */
  denied: 3,
  /** The server or the network failed: 5xx, 429 after retries, unreachable. */
  unavailable: 4,
  /** --timeout ran out while waiting; the job may still finish. */
  timeout: 5,
} as const;

export interface ClientFlags {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

/** Adds --url, --api-key and --json to a command. */
export const clientOptions = (command: Command): Command =>
  command
    .option('--url <url>', 'server base URL (TASKWIRE_URL, default http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (TASKWIRE_API_KEY)')
    .option('--json', 'print JSON (the default when output is not a terminal)');

export function clientFrom(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): Taskwire {
  const apiKey = flags.apiKey ?? env.TASKWIRE_API_KEY;
  return new Taskwire({
    baseUrl: flags.url ?? env.TASKWIRE_URL ?? 'http://127.0.0.1:8080',
    ...(apiKey ? { apiKey } : {}),
  });
}

/** JSON when asked or when piped; otherwise the readable text. */
export function output(flags: ClientFlags, value: unknown, text: () => string): void {
  const json = flags.json === true || !process.stdout.isTTY;
  process.stdout.write(
    json ? `${JSON.stringify(value, null, json && process.stdout.isTTY ? 2 : 0)}\n` : `${text()}\n`,
  );
}

/** Prints an API error the way a person (or a script reading stderr) needs it; returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof TaskwireError) {
    const lines = [`taskwire: ${error.code}: ${error.message}`];
    for (const issue of error.issues ?? []) lines.push(`  ${issue.path || '/'}: ${issue.message}`);
    if (error.connectUrl) lines.push(`  connect at: ${error.connectUrl}`);
    if (error.requestId) lines.push(`  request id: ${error.requestId}`);
    process.stderr.write(`${lines.join('\n')}\n`);
    if (error.code === 'WAIT_TIMEOUT') return EXIT.timeout;
    if (error.status === 401 || error.status === 402 || error.status === 403) return EXIT.denied;
    if (error.status >= 400 && error.status < 500 && error.status !== 429) return EXIT.badInput;
    return EXIT.unavailable;
  }
  process.stderr.write(`taskwire: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.badInput;
}

/** Runs a command body, turning any error into its message and exit code. */
export function guarded<A extends unknown[]>(body: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      process.exitCode = (await body(...args)) ?? EXIT.ok;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}
