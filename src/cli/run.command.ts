// `taskwire run <action_id>`: submit a task and (with --wait, the default on a terminal) follow
// it to the end with a live progress line, printing the result; clean JSON when piped.
import { readFileSync } from 'node:fs';

import type { JobBody, Taskwire } from '@taskwire/client';
import type { Command } from 'commander';

import {
  type ClientFlags,
  clientFrom,
  clientOptions,
  EXIT,
  guarded,
  output,
} from './api-client.js';

interface RunFlags extends ClientFlags {
  param: string[];
  paramsFile?: string;
  credential?: string;
  identity?: string;
  wait?: boolean;
  timeout: string;
  idempotencyKey?: string;
}

/** `key=value` pairs; a value that parses as JSON (numbers, true, [..], {..}) is taken as such. */
export function parseParams(pairs: readonly string[], file?: string): Record<string, unknown> {
  const params: Record<string, unknown> = file
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--param takes key=value, not '${pair}'.`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text as it is.
    }
    params[pair.slice(0, eq)] = value;
  }
  return params;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function stateOf(body: JobBody): string {
  if (body.status !== 'processing') return body.status;
  // Taskwire adds queue_position to a queued job; other Wire servers may not.
  const position = (body as { queue_position?: unknown }).queue_position;
  return typeof position === 'number' ? `queued (#${position})` : 'running';
}

/** Long-polls in short steps so the progress line can show the state and the time. */
async function follow(client: Taskwire, jobId: string, timeoutMs: number): Promise<JobBody> {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  for (;;) {
    const body = await client.job(jobId, { wait: 2 });
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    if (tty) process.stderr.write(`\r\x1b[2K${jobId}  ${stateOf(body)}  ${elapsed}s`);
    if (body.status !== 'processing') {
      if (tty) process.stderr.write('\n');
      return body;
    }
    if (Date.now() - started > timeoutMs) {
      if (tty) process.stderr.write('\n');
      throw Object.assign(
        new Error(
          `Still running after ${timeoutMs / 1000} s; follow it with: taskwire jobs watch ${jobId}`,
        ),
        { timedOut: true },
      );
    }
  }
}

export function registerRun(program: Command): void {
  clientOptions(
    program
      .command('run')
      .description('run an action: submit a task and wait for its result')
      .argument('<action_id>', 'the action, e.g. web_scrape')
      .option(
        '-p, --param <key=value>',
        'a parameter (repeatable; JSON values are parsed)',
        collect,
        [],
      )
      .option('--params-file <file>', 'parameters from a JSON file (--param entries override)')
      .option('--credential <id>', 'run with this credential')
      .option('--identity <id>', "run with this identity's active credential")
      .option('--idempotency-key <key>', 'make the submission safe to repeat')
      .option('--wait', 'wait for the result (default)', true)
      .option('--no-wait', 'print the job id and return at once')
      .option('--timeout <seconds>', 'how long to wait for the result', '600'),
  ).action(
    guarded(async (actionId: string, flags: RunFlags) => {
      const client = clientFrom(flags);
      const submission = await client.submit(actionId, parseParams(flags.param, flags.paramsFile), {
        ...(flags.credential ? { credentialId: flags.credential } : {}),
        ...(flags.identity ? { identityId: flags.identity } : {}),
        ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
      });
      if (submission.status === 'processing' && !flags.wait) {
        output(
          flags,
          { job_id: submission.jobId, poll_url: submission.pollUrl },
          () => submission.jobId,
        );
        return EXIT.ok;
      }
      let body: JobBody;
      try {
        body =
          submission.status === 'processing'
            ? await follow(client, submission.jobId, Number(flags.timeout) * 1000)
            : submission;
      } catch (error) {
        if ((error as { timedOut?: boolean }).timedOut) {
          process.stderr.write(`taskwire: ${(error as Error).message}\n`);
          return EXIT.timeout;
        }
        throw error;
      }
      const result = { job_id: submission.jobId, ...body };
      if (body.status === 'completed') {
        output(flags, result, () => JSON.stringify(body.data, null, 2));
        return EXIT.ok;
      }
      output(flags, result, () =>
        body.status === 'failed'
          ? `Job ${submission.jobId} failed: ${body.error.code}: ${body.error.message} (credits refunded)`
          : '',
      );
      return EXIT.jobFailed;
    }),
  );
}
