// What the client-side commands share: the SDK client built from flags or TASKWIRE_URL /
// TASKWIRE_API_KEY, output that is readable on a terminal and clean JSON when piped, and
// exit codes scripts can rely on.
import { type JobBody, Taskwire, TaskwireError } from '@taskwire/client';
import { type Command, InvalidArgumentError } from 'commander';

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

/**
 * Usage errors (an unknown flag, a malformed value, a missing argument) exit 2 like any other
 * bad input, rather than commander's 1, which means "the job failed". Set on a command before
 * its subcommands are created, which inherit it.
 */
export const usageExits = (command: Command): Command =>
  command.exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.badInput));

/** Adds --url, --api-key and --json to a command. */
export const clientOptions = (command: Command): Command =>
  usageExits(command)
    .option('--url <url>', 'server base URL (TASKWIRE_URL, default http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (TASKWIRE_API_KEY)')
    .option('--json', 'print JSON (the default when output is not a terminal)');

/** `--timeout <seconds>`: a number above 0 (fractions allowed), never NaN. */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('Give a number of seconds above 0, e.g. --timeout 30.');
  }
  return n;
}

/** `--limit <n>` and the like: a whole number from 1 to 100 (the API's page size). */
export function pageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 100) {
    throw new InvalidArgumentError('Give a whole number from 1 to 100.');
  }
  return n;
}

/** `--timeout` ran out while following a job; the job itself goes on. */
export class StillRunning extends Error {
  constructor(jobId: string, timeoutMs: number) {
    super(
      `Still running after ${timeoutMs / 1000} s; follow it with: taskwire jobs watch ${jobId}`,
    );
    this.name = 'StillRunning';
  }
}

function stateOf(body: JobBody): string {
  if (body.status !== 'processing') return body.status;
  // Taskwire adds queue_position to a queued job; other Wire servers may not.
  const position = (body as { queue_position?: unknown }).queue_position;
  return typeof position === 'number' ? `queued (#${position})` : 'running';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a job to its end. Long-polls in steps of at most 2 s so a terminal can show a live
 * line on stderr (state and elapsed time); a server that ignores `?wait=` answers at once,
 * and then its `retry_after_ms` paces the polling. Throws `StillRunning` past `timeoutMs`.
 */
export async function follow(client: Taskwire, jobId: string, timeoutMs: number): Promise<JobBody> {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  const line = (body: JobBody) => {
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    if (tty) process.stderr.write(`\r\x1b[2K${jobId}  ${stateOf(body)}  ${elapsed}s`);
  };
  for (;;) {
    const remaining = timeoutMs - (Date.now() - started);
    const wait = Math.max(0.1, Math.min(2, Math.round(remaining / 100) / 10));
    const asked = Date.now();
    const body = await client.job(jobId, { wait });
    line(body);
    if (body.status !== 'processing') {
      if (tty) process.stderr.write('\n');
      return body;
    }
    if (Date.now() - started >= timeoutMs) {
      if (tty) process.stderr.write('\n');
      throw new StillRunning(jobId, timeoutMs);
    }
    const early = wait * 1000 - (Date.now() - asked);
    const pace = (body as { retry_after_ms?: unknown }).retry_after_ms;
    if (early > 100 && typeof pace === 'number') {
      await sleep(Math.min(pace, early, timeoutMs - (Date.now() - started)));
    }
  }
}

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
  return error instanceof StillRunning ? EXIT.timeout : EXIT.badInput;
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
