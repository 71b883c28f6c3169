// Operator commands that work on the database directly: accounts, API keys, credits and the
// ledger check. Each takes --data-dir (or --database-url) and --json.
import type { Command } from 'commander';

import { registerCreditsShow } from './client.commands.js';

import {
  createAccount,
  createApiKey,
  getAccount,
  listAccounts,
  listApiKeys,
  revokeApiKey,
} from '../accounts/index.js';
import { balanceOf, grant, reconcile } from '../ledger/index.js';
import { registerMasterKeyCommands } from './master-key.command.js';
import { print, type StoreFlags, storeOptions, wholeNumber, withStore } from './store-options.js';

export function registerAdminCommands(program: Command): void {
  const accounts = program.command('accounts').description('manage accounts');
  storeOptions(accounts.command('create').description('create an account and its first API key'))
    .requiredOption('--name <name>', 'account name')
    .option('--credits <n>', 'starting credits', wholeNumber(0), 0)
    .action(async (flags: StoreFlags & { name: string; credits: number }) => {
      await withStore(flags, async ({ db }) => {
        const account = await createAccount(db, { name: flags.name, credits: flags.credits });
        const key = await createApiKey(db, account.id);
        print(
          flags,
          { account_id: account.id, api_key: key.key, balance: account.balance },
          `Account ${account.id} "${account.name}" with ${account.balance} credits.\nAPI key (shown once): ${key.key}`,
        );
      });
    });
  storeOptions(accounts.command('list').description('list accounts')).action(
    async (flags: StoreFlags) => {
      await withStore(flags, async ({ db }) => {
        const rows = await listAccounts(db);
        print(
          flags,
          rows,
          rows.map((a) => `${a.id}  ${a.balance.toString().padStart(8)}  ${a.name}`).join('\n') ||
            'No accounts.',
        );
      });
    },
  );

  const keys = program.command('keys').description('manage API keys and the master key');
  storeOptions(keys.command('create').description('create an API key (shown once)'))
    .requiredOption('--account <id>', 'account id')
    .option('--name <name>', 'a label for the key', 'default')
    .action(async (flags: StoreFlags & { account: string; name: string }) => {
      await withStore(flags, async ({ db }) => {
        if (!(await getAccount(db, flags.account)))
          throw new Error(`No account '${flags.account}'.`);
        const key = await createApiKey(db, flags.account, flags.name);
        print(
          flags,
          { id: key.id, api_key: key.key, prefix: key.prefix, name: key.name },
          `API key (shown once): ${key.key}`,
        );
      });
    });
  storeOptions(
    keys.command('list').description("list an account's keys (never the keys themselves)"),
  )
    .requiredOption('--account <id>', 'account id')
    .action(async (flags: StoreFlags & { account: string }) => {
      await withStore(flags, async ({ db }) => {
        const rows = await listApiKeys(db, flags.account);
        print(
          flags,
          rows,
          rows
            .map((k) => `${k.id}  tw_${k.prefix}_…  ${k.name}${k.revoked_at ? '  (revoked)' : ''}`)
            .join('\n') || 'No keys.',
        );
      });
    });
  storeOptions(keys.command('revoke').description('revoke a key by id or prefix'))
    .argument('<key>', 'key id or prefix')
    .action(async (key: string, flags: StoreFlags) => {
      await withStore(flags, async ({ db }) => {
        await revokeApiKey(db, key);
        print(flags, { revoked: key }, `Revoked ${key}.`);
      });
    });
  registerMasterKeyCommands(keys);

  const credits = program.command('credits').description('your balance; operators: grant credits');
  registerCreditsShow(credits);
  storeOptions(credits.command('grant').description('add credits to an account'))
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--amount <n>', 'credits to add', wholeNumber(1))
    .option('--note <text>', 'why')
    .action(async (flags: StoreFlags & { account: string; amount: number; note?: string }) => {
      await withStore(flags, async ({ db }) => {
        const balance = await db
          .transaction()
          .execute((trx) => grant(trx, flags.account, flags.amount, flags.note));
        print(flags, { account_id: flags.account, balance }, `Balance: ${balance}`);
      });
    });
  storeOptions(credits.command('balance').description("an account's balance"))
    .requiredOption('--account <id>', 'account id')
    .action(async (flags: StoreFlags & { account: string }) => {
      await withStore(flags, async ({ db }) => {
        if (!(await getAccount(db, flags.account)))
          throw new Error(`No account '${flags.account}'.`);
        const balance = await balanceOf(db, flags.account);
        print(flags, { account_id: flags.account, balance }, `Balance: ${balance}`);
      });
    });

  storeOptions(
    program
      .command('verify-ledger')
      .description('check every balance equals the sum of its ledger'),
  ).action(async (flags: StoreFlags) => {
    await withStore(flags, async ({ db }) => {
      const mismatches = await reconcile(db);
      print(
        flags,
        { ok: mismatches.length === 0, mismatches },
        mismatches.length === 0 ? 'Ledger OK.' : JSON.stringify(mismatches, null, 2),
      );
      if (mismatches.length > 0) process.exitCode = 1;
    });
  });

  storeOptions(program.command('migrate').description('apply pending database migrations')).action(
    async (flags: StoreFlags) => {
      await withStore(flags, async () => {
        print(flags, { migrated: true }, 'Database is up to date.');
      });
    },
  );
}
