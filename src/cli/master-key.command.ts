// `taskwire keys rotate-master`: re-wraps every credential's data key under a new master key
// while the server runs and, with a key file, installs the new key once all are done. It
// prints key ids (fingerprints) and credential ids, never a key.
import type { Command } from 'commander';

import {
  parseMasterKey,
  rotateMasterKey,
  type RotationReport,
  type RotationTarget,
} from '../vault/index.js';
import { print, type StoreFlags, storeOptions, wholeNumber, withStore } from './store-options.js';

interface RotateFlags extends StoreFlags {
  newKey?: string;
  generate?: boolean;
  finish?: boolean;
  batchSize: number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What the operator does next, given how the run ended. */
function nextSteps(report: RotationReport): string[] {
  const steps: string[] = [];
  if (report.failed.length > 0) {
    steps.push(
      `${report.failed.length} credential(s) did not open under any held key (tampered, or sealed ` +
        `under a key that is not configured): ${report.failed.join(', ')}. Configure that key in ` +
        'TASKWIRE_PREVIOUS_MASTER_KEYS, or delete them (DELETE /v1/wire/credentials/{id}), then run this again.',
    );
  }
  if (report.remaining > report.failed.length) {
    steps.push(
      `${report.remaining - report.failed.length} credential(s) were written under an old key while ` +
        'this ran; run this command again.',
    );
  }
  if (report.remaining > 0) {
    if (report.keyFile === 'staged')
      steps.push(`The new key ${report.keyId} waits in master.key.next; master.key is unchanged.`);
    return steps;
  }
  if (report.keyFile === 'replaced') {
    return [
      `master.key now holds key ${report.keyId}; the old key ${report.previousKeyId} is in master.key.previous (0600).`,
      'Restart serve and every worker so new credentials are sealed under the new key, then run ' +
        '`taskwire keys rotate-master --finish` to re-wrap any written meanwhile.',
      'Keep master.key.previous with the backups taken before now; delete it when none is needed.',
    ];
  }
  if (!report.usesKeyFile && report.keyId !== report.previousKeyId) {
    return [
      `Set TASKWIRE_MASTER_KEY to the new key (id ${report.keyId}) and TASKWIRE_PREVIOUS_MASTER_KEYS ` +
        `to the old one (id ${report.previousKeyId}), then restart serve and every worker.`,
      'Run this command again with the same --new-key, under that configuration: it re-wraps what ' +
        'was sealed under the old key meanwhile, and reports 0 left.',
      'Then remove TASKWIRE_PREVIOUS_MASTER_KEYS and restart; keep the old key with the backups that need it.',
    ];
  }
  return [
    `Every credential is under the current key ${report.keyId}. Previous keys ` +
      '(TASKWIRE_PREVIOUS_MASTER_KEYS, master.key.previous) are needed only by older backups now.',
  ];
}

export function registerMasterKeyCommands(keys: Command): void {
  storeOptions(
    keys
      .command('rotate-master')
      .description('re-wrap every credential under a new master key (online, resumable)'),
  )
    .option(
      '--new-key <key>',
      "the new master key: 32 bytes as 64 hex characters or base64 ('-' reads it from stdin)",
    )
    .option('--generate', 'generate a random new key and install it in the key file')
    .option('--finish', 're-wrap credentials still under a previous key to the current key')
    .option('--batch-size <n>', 'credentials per transaction', wholeNumber(1), 100)
    .action(async (flags: RotateFlags) => {
      const modes = [flags.newKey !== undefined, flags.generate === true, flags.finish === true];
      if (modes.filter(Boolean).length !== 1)
        throw new Error('Pass exactly one of --new-key <key>, --generate or --finish.');
      let target: RotationTarget;
      if (flags.generate) target = { kind: 'generate' };
      else if (flags.finish) target = { kind: 'finish' };
      else {
        const text = flags.newKey === '-' ? await readStdin() : (flags.newKey ?? '');
        target = { kind: 'key', key: parseMasterKey(text, '--new-key') };
      }
      await withStore(flags, async ({ db }, config) => {
        const report = await rotateMasterKey(db, config, target, { batchSize: flags.batchSize });
        const steps = nextSteps(report);
        print(
          flags,
          {
            key_id: report.keyId,
            previous_key_id: report.previousKeyId,
            rewrapped: report.rewrapped,
            remaining: report.remaining,
            failed: report.failed,
            key_file: report.keyFile,
            next_steps: steps,
          },
          [
            `Re-wrapped ${report.rewrapped} credential(s) to master key ${report.keyId}; ${report.remaining} left under other keys.`,
            ...steps,
          ].join('\n'),
        );
        if (report.remaining > 0) process.exitCode = 1;
      });
    });
}
