// Client-side commands over the public API (through the SDK): jobs, catalog, identities,
// credentials and credits. They take --url / --api-key (or TASKWIRE_URL / TASKWIRE_API_KEY)
// and --json.
import { readFileSync } from 'node:fs';

import type { CredentialType, Identity, JobBody } from '@taskwire/client';
import { type Command, Option } from 'commander';

import {
  type ClientFlags,
  clientFrom,
  clientOptions,
  EXIT,
  follow,
  guarded,
  output,
  pageSize,
  seconds,
  usageExits,
} from './api-client.js';

const CREDENTIAL_TYPES: readonly CredentialType[] = [
  'browser_state',
  'credentials',
  'api_key',
  'token',
];

/** `--type <type>`, limited to the credential types the API knows. */
const typeOption = (description: string) =>
  new Option('--type <type>', description).choices(CREDENTIAL_TYPES);

/**
 * A credential's `data`: JSON from `file`, or from stdin when `file` is absent or `-`. Text
 * that is not JSON is sent as a string (a bare token or API key). Never echoed anywhere.
 */
function readCredentialData(file: string | undefined): unknown {
  const fromStdin = file === undefined || file === '-';
  if (fromStdin && process.stdin.isTTY) {
    throw new Error("Give the credential's data with --data-file <file>, or pipe it on stdin.");
  }
  let text: string;
  try {
    text = readFileSync(fromStdin ? 0 : file, 'utf8').trim();
  } catch (error) {
    throw new Error(`--data-file ${file} cannot be read: ${(error as Error).message}`);
  }
  if (text === '')
    throw new Error(`The credential data ${fromStdin ? 'on stdin' : `in ${file}`} is empty.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const identityText = (i: Identity): string =>
  [
    `${i.id}  ${i.name}${i.is_default ? '  (default)' : ''}`,
    ...i.credentials.map((c) => `  credential ${c.id}  ${c.credential_type}  ${c.status}`),
  ].join('\n');

const table = (rows: string[][]): string => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

const jobLine = (id: string, body: JobBody): string =>
  body.status === 'completed'
    ? `${id}  completed  ${body.credits_used} credits  ${body.execution_ms} ms`
    : body.status === 'failed'
      ? `${id}  failed  ${body.error.code}: ${body.error.message}`
      : `${id}  processing`;

export function registerClientCommands(program: Command): void {
  const jobs = usageExits(
    program.command('jobs').description('list, inspect, follow and cancel jobs'),
  );
  clientOptions(jobs.command('list').description('your jobs, newest first'))
    .option('--status <status>', 'processing, completed or failed')
    .option('--catalog <slug>', 'only this catalog')
    .option('--search <text>', 'action id, params or error text')
    .option('--limit <n>', 'how many (1 to 100)', pageSize, 20)
    .action(
      guarded(
        async (
          flags: ClientFlags & {
            status?: string;
            catalog?: string;
            search?: string;
            limit: number;
          },
        ) => {
          const page = await clientFrom(flags).listJobs({
            limit: flags.limit,
            ...(flags.status ? { status: flags.status as 'completed' } : {}),
            ...(flags.catalog ? { catalog: flags.catalog } : {}),
            ...(flags.search ? { search: flags.search } : {}),
          });
          output(flags, page, () =>
            page.jobs.length === 0
              ? 'No jobs.'
              : table([
                  ['ID', 'ACTION', 'STATUS', 'CREDITS', 'CREATED'],
                  ...page.jobs.map((j) => [
                    j.id,
                    j.action_id,
                    j.status,
                    String(j.credits_used),
                    j.created_at,
                  ]),
                ]),
          );
        },
      ),
    );
  clientOptions(
    jobs.command('show').description("a job's state and result").argument('<id>'),
  ).action(
    guarded(async (id: string, flags: ClientFlags) => {
      const body = await clientFrom(flags).job(id);
      output(
        flags,
        { job_id: id, ...body },
        () =>
          `${jobLine(id, body)}${body.status === 'completed' ? `\n${JSON.stringify(body.data, null, 2)}` : ''}`,
      );
    }),
  );
  clientOptions(
    jobs
      .command('watch')
      .description('wait until a job finishes (a live progress line on a terminal), then show it')
      .argument('<id>'),
  )
    .option('--timeout <seconds>', 'how long to wait', seconds, 600)
    .action(
      guarded(async (id: string, flags: ClientFlags & { timeout: number }) => {
        const body = await follow(clientFrom(flags), id, flags.timeout * 1000);
        output(flags, { job_id: id, ...body }, () => jobLine(id, body));
        return body.status === 'completed' ? EXIT.ok : EXIT.jobFailed;
      }),
    );
  clientOptions(
    jobs
      .command('cancel')
      .description('cancel a queued or running job (refunded)')
      .argument('<id>'),
  ).action(
    guarded(async (id: string, flags: ClientFlags) => {
      const body = await clientFrom(flags).cancel(id);
      output(flags, { job_id: id, ...body }, () => `Cancelled ${id}; its credits were refunded.`);
    }),
  );

  const catalog = usageExits(
    program.command('catalog').description('browse the catalogs and their actions'),
  );
  clientOptions(catalog.command('list', { isDefault: true }).description('every catalog')).action(
    guarded(async (flags: ClientFlags) => {
      const entries = await clientFrom(flags).catalog();
      output(flags, entries, () =>
        table([
          ['SLUG', 'NAME', 'ACTIONS', 'LOGIN'],
          ...entries.map((c) => [
            c.slug,
            c.name,
            String(c.action_count),
            c.auth_required ? (c.auth_type ?? 'yes') : 'no',
          ]),
        ]),
      );
    }),
  );
  clientOptions(
    catalog
      .command('show')
      .description("a catalog's actions and their parameters")
      .argument('<slug>'),
  ).action(
    guarded(async (slug: string, flags: ClientFlags) => {
      const detail = await clientFrom(flags).catalogEntry(slug);
      output(flags, detail, () =>
        detail.actions
          .map(
            (a) =>
              `${a.action_id}  (${a.credits_per_call} credits, login ${a.auth_mode})\n  ${a.description}\n` +
              a.parameters
                .map(
                  (p) =>
                    `  --param ${p.name}=<${p.type}>${p.required ? '' : ' (optional)'}  ${p.description}`,
                )
                .join('\n'),
          )
          .join('\n\n'),
      );
    }),
  );
  clientOptions(
    catalog.command('search').description('find actions').argument('<query...>'),
  ).action(
    guarded(async (query: string[], flags: ClientFlags) => {
      const results = await clientFrom(flags).search(query.join(' '));
      output(flags, results, () =>
        results.length === 0
          ? 'No matching actions.'
          : table([
              ['ACTION', 'CATALOG', 'CREDITS', 'LOGIN', 'NAME'],
              ...results.map((r) => [
                r.action_id,
                r.catalog_slug,
                String(r.credits),
                r.auth_mode,
                r.name,
              ]),
            ]),
      );
    }),
  );

  const identities = usageExits(
    program.command('identities').description('your stored logins (never their secrets)'),
  );
  clientOptions(
    identities.command('list', { isDefault: true }).description('identities and their credentials'),
  )
    .option('--catalog <slug>', 'only this catalog')
    .action(
      guarded(async (flags: ClientFlags & { catalog?: string }) => {
        const list = await clientFrom(flags).identities(
          flags.catalog ? { catalogId: flags.catalog } : {},
        );
        output(flags, list, () =>
          list.length === 0
            ? 'No identities.'
            : table([
                ['ID', 'NAME', 'DEFAULT', 'CREDENTIALS'],
                ...list.map((i) => [
                  i.id,
                  i.name,
                  i.is_default ? 'yes' : '',
                  i.credentials.map((c) => `${c.credential_type}:${c.status}`).join(', ') || '-',
                ]),
              ]),
        );
      }),
    );
  clientOptions(identities.command('show').description('one identity').argument('<id>')).action(
    guarded(async (id: string, flags: ClientFlags) => {
      const identity = await clientFrom(flags).identity(id);
      output(flags, identity, () => JSON.stringify(identity, null, 2));
    }),
  );
  clientOptions(
    identities
      .command('create')
      .description('a new identity on a catalog, optionally with its first credential'),
  )
    .requiredOption('--catalog <slug>', 'the catalog (slug or id)')
    .requiredOption('--name <name>', 'a name unique on the catalog, e.g. "Work LinkedIn"')
    .option('--default', "make it the catalog's default identity")
    .addOption(typeOption('add a first credential of this type (its data from --data-file)'))
    .option('--data-file <file>', "the credential's data as JSON ('-' or absent: stdin)")
    .action(
      guarded(
        async (
          flags: ClientFlags & {
            catalog: string;
            name: string;
            default?: boolean;
            type?: CredentialType;
            dataFile?: string;
          },
        ) => {
          if (flags.dataFile !== undefined && flags.type === undefined) {
            throw new Error('--data-file needs --type: the type of the credential it holds.');
          }
          const identity = await clientFrom(flags).createIdentity({
            catalogId: flags.catalog,
            name: flags.name,
            ...(flags.default ? { isDefault: true } : {}),
            ...(flags.type
              ? { credential: { type: flags.type, data: readCredentialData(flags.dataFile) } }
              : {}),
          });
          output(flags, identity, () => `Created identity ${identityText(identity)}`);
        },
      ),
    );
  clientOptions(
    identities
      .command('rename')
      .description('rename an identity')
      .argument('<id>')
      .argument('<name>'),
  ).action(
    guarded(async (id: string, name: string, flags: ClientFlags) => {
      const client = clientFrom(flags);
      await client.updateIdentity(id, { name });
      const identity = await client.identity(id);
      output(flags, identity, () => `Renamed: ${identityText(identity)}`);
    }),
  );
  clientOptions(
    identities
      .command('set-default')
      .description("make an identity its catalog's default (used when a task names none)")
      .argument('<id>'),
  ).action(
    guarded(async (id: string, flags: ClientFlags) => {
      const client = clientFrom(flags);
      await client.updateIdentity(id, { isDefault: true });
      const identity = await client.identity(id);
      output(flags, identity, () => `Default now: ${identityText(identity)}`);
    }),
  );
  clientOptions(
    identities
      .command('delete')
      .description('delete an identity and all its credentials')
      .argument('<id>'),
  ).action(
    guarded(async (id: string, flags: ClientFlags) => {
      await clientFrom(flags).deleteIdentity(id);
      output(flags, { status: 'ok', deleted: id }, () => `Deleted identity ${id}.`);
    }),
  );
  clientOptions(
    identities
      .command('add-credential')
      .description('add a credential to an identity; its data is read from a file or stdin')
      .argument('<id>', 'the identity'),
  )
    .addOption(typeOption('the credential type').makeOptionMandatory())
    .option('--data-file <file>', "the credential's data as JSON ('-' or absent: stdin)")
    .action(
      guarded(
        async (id: string, flags: ClientFlags & { type: CredentialType; dataFile?: string }) => {
          const credential = await clientFrom(flags).addCredential(id, {
            type: flags.type,
            data: readCredentialData(flags.dataFile),
          });
          output(
            flags,
            credential,
            () => `Added credential ${credential.id} (${credential.credential_type}) to ${id}.`,
          );
        },
      ),
    );

  const credentials = usageExits(
    program
      .command('credentials')
      .description('stored credentials (add them with identities add-credential)'),
  );
  clientOptions(
    credentials.command('delete').description('delete one credential').argument('<id>'),
  ).action(
    guarded(async (id: string, flags: ClientFlags) => {
      await clientFrom(flags).deleteCredential(id);
      output(flags, { status: 'ok', deleted: id }, () => `Deleted credential ${id}.`);
    }),
  );
}

/**
 * `taskwire credits [show]`: the balance and recent ledger entries, through the API. The
 * default subcommand, so a bare `taskwire credits` prints the balance.
 */
export function registerCreditsShow(credits: Command): void {
  clientOptions(
    credits
      .command('show', { isDefault: true })
      .description('your balance and recent ledger entries (through the API; the default)'),
  )
    .option('--limit <n>', 'ledger entries (1 to 100)', pageSize, 10)
    .action(
      guarded(async (flags: ClientFlags & { limit: number }) => {
        const result = await clientFrom(flags).credits({ limit: flags.limit });
        output(flags, result, () =>
          [
            `Balance: ${result.balance}`,
            ...result.ledger.map(
              (e) =>
                `${e.created_at}  ${e.kind.padEnd(6)} ${String(e.amount).padStart(6)}  ${e.job_id ?? e.note ?? ''}`,
            ),
          ].join('\n'),
        );
      }),
    );
}

/** `taskwire mcp`: the Model Context Protocol server on stdio, for AI agents. */
export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('serve Taskwire to AI agents over the Model Context Protocol (stdio)')
    .option('--url <url>', 'server base URL (TASKWIRE_URL, default http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (TASKWIRE_API_KEY)')
    .option('--no-action-tools', 'only the fixed tools, no tool per action')
    .action(async (flags: ClientFlags & { actionTools: boolean }) => {
      // Loaded here, not at startup: the MCP SDK is large and only this command needs it.
      const { serveMcpOverStdio } = await import('../mcp/index.js');
      // stdout is the protocol channel: nothing else may be written there.
      await serveMcpOverStdio(clientFrom(flags), { perAction: flags.actionTools });
    });
}
