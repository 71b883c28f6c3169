// `taskwire run <action_id>`: submit a task and (with --wait, the default on a terminal) follow
// it to the end with a live progress line, printing the result; clean JSON when piped.
import { readFileSync } from 'node:fs';

import type { JobBody } from '@taskwire/client';
import type { Command } from 'commander';

import {
  type ClientFlags,
  clientFrom,
  clientOptions,
  EXIT,
  follow,
  guarded,
  output,
  seconds,
} from './api-client.js';

interface RunFlags extends ClientFlags {
  param: string[];
  paramsFile?: string;
  credential?: string;
  identity?: string;
  wait?: boolean;
  timeout: number;
  idempotencyKey?: string;
}

/** The JSON object in `file` (`-` for stdin), or an error that says what is wrong with it. */
function paramsFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new Error(`--params-file ${file} ${reason}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`--params-file ${file} must hold a JSON object of parameters.`);
  }
  return parsed as Record<string, unknown>;
}

/** `key=value` pairs; a value that parses as JSON (numbers, true, [..], {..}) is taken as such. */
export function parseParams(pairs: readonly string[], file?: string): Record<string, unknown> {
  const params = file ? paramsFile(file) : {};
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
      .option(
        '--params-file <file>',
        "parameters from a JSON object in <file> ('-' for stdin); --param entries override",
      )
      .option('--credential <id>', 'run with this credential')
      .option('--identity <id>', "run with this identity's active credential")
      .option('--idempotency-key <key>', 'make the submission safe to repeat')
      .option('--wait', 'wait for the result (default)', true)
      .option('--no-wait', 'print the job id and return at once')
      .option('--timeout <seconds>', 'how long to wait for the result', seconds, 600),
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
      const body: JobBody =
        submission.status === 'processing'
          ? await follow(client, submission.jobId, flags.timeout * 1000)
          : submission;
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
