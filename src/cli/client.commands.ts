// Client-side commands over the public API (through the SDK): jobs, catalog, identities and
// credits. They take --url / --api-key (or TASKWIRE_URL / TASKWIRE_API_KEY) and --json.
import type { JobBody } from '@taskwire/client';
import type { Command } from 'commander';

import {
  type ClientFlags,
  clientFrom,
  clientOptions,
  EXIT,
  guarded,
  output,
} from './api-client.js';

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
  const jobs = program.command('jobs').description('list, inspect, follow and cancel jobs');
  clientOptions(jobs.command('list').description('your jobs, newest first'))
    .option('--status <status>', 'processing, completed or failed')
    .option('--catalog <slug>', 'only this catalog')
    .option('--search <text>', 'action id, params or error text')
    .option('--limit <n>', 'how many', '20')
    .action(
      guarded(
        async (
          flags: ClientFlags & {
            status?: string;
            catalog?: string;
            search?: string;
            limit: string;
          },
        ) => {
          const page = await clientFrom(flags).listJobs({
            limit: Number(flags.limit),
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
    jobs.command('watch').description('wait until a job finishes, then show it').argument('<id>'),
  )
    .option('--timeout <seconds>', 'how long to wait', '600')
    .action(
      guarded(async (id: string, flags: ClientFlags & { timeout: string }) => {
        const body = await clientFrom(flags).waitForJob(id, {
          timeoutMs: Number(flags.timeout) * 1000,
        });
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

  const catalog = program.command('catalog').description('browse the catalogs and their actions');
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

  const identities = program
    .command('identities')
    .description('your stored logins (never their secrets)');
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
}

/** `taskwire credits show`: the balance and recent ledger entries, through the API. */
export function registerCreditsShow(credits: Command): void {
  clientOptions(
    credits.command('show').description('your balance and recent ledger entries (through the API)'),
  )
    .option('--limit <n>', 'ledger entries', '10')
    .action(
      guarded(async (flags: ClientFlags & { limit: string }) => {
        const result = await clientFrom(flags).credits({ limit: Number(flags.limit) });
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
