// Master-key rotation: every credential's data key is re-wrapped under a new master key in
// batches, each its own short transaction, while the server keeps running. The secrets are
// never decrypted and their ciphertexts never change; only `dek`, `kid` and `key_id` do.
import { join } from 'node:path';

import type { Db } from './credential.repo.js';
import { KEY_FILES, type KeyringSettings, openKeyring, usesKeyFile } from './keyring.js';
import {
  generateMasterKey,
  type MasterKey,
  moveKeyFile,
  readKeyFile,
  writeKeyFile,
} from './master-key.js';
import { credentialAad, type KeySource, rewrap, UnsealError } from './seal.js';

export interface RewrapOptions {
  /** Credentials per transaction (default 100). */
  batchSize?: number;
  /** Stop after this many batches and leave the rest for the next run (default: no limit). */
  maxBatches?: number;
}

export interface RewrapReport {
  /** Credentials this run re-wrapped. */
  rewrapped: number;
  /** Credentials whose data key did not open under any held key (tampered, or key not held). */
  failed: string[];
  /** Credentials not under the target key when the run ended, the failed ones included. */
  remaining: number;
}

// A pass pages by id, so rows written under an old key by a server while it ran may land
// behind the cursor; another pass picks them up. Bounded, in case writes never stop.
const MAX_PASSES = 5;

async function countNotUnder(db: Db, keyId: string): Promise<number> {
  const { n } = await db
    .selectFrom('credentials')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('key_id', '<>', keyId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Re-wraps every credential not yet under `target`. Rows already under it are skipped, so a
 * run that was interrupted (or stopped by `maxBatches`) is finished by running it again.
 */
export async function rewrapCredentials(
  db: Db,
  keys: KeySource,
  target: MasterKey,
  options: RewrapOptions = {},
): Promise<RewrapReport> {
  const batchSize = options.batchSize ?? 100;
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  const failed = new Set<string>();
  let rewrapped = 0;
  let batches = 0;
  let remaining = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let after = '';
    let progressed = 0;
    while (batches < maxBatches) {
      const rows = await db
        .selectFrom('credentials')
        .select(['id', 'account_id', 'credential_type', 'sealed'])
        .where('key_id', '<>', target.id)
        .where('id', '>', after)
        .orderBy('id')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      batches += 1;
      after = rows.at(-1)!.id;
      // The crypto happens here, outside the transaction, which stays short.
      const changes: { id: string; from: string; to: string }[] = [];
      for (const row of rows) {
        try {
          changes.push({
            id: row.id,
            from: row.sealed,
            to: rewrap(keys, row.sealed, credentialAad(row), target),
          });
        } catch (error) {
          if (!(error instanceof UnsealError)) throw error;
          failed.add(row.id);
        }
      }
      if (changes.length === 0) continue;
      const written = await db.transaction().execute(async (trx) => {
        let n = 0;
        for (const change of changes) {
          // Only if the row still holds what was read: a credential replaced or deleted
          // meanwhile is left alone rather than overwritten with a stale envelope.
          const result = await trx
            .updateTable('credentials')
            .set({ sealed: change.to, key_id: target.id })
            .where('id', '=', change.id)
            .where('sealed', '=', change.from)
            .executeTakeFirst();
          n += Number(result.numUpdatedRows);
        }
        return n;
      });
      rewrapped += written;
      progressed += written;
    }
    remaining = await countNotUnder(db, target.id);
    if (remaining <= failed.size || progressed === 0 || batches >= maxBatches) break;
  }
  return { rewrapped, failed: [...failed], remaining };
}

/** How many credentials are sealed under keys outside `heldIds`, by key, with a few ids. */
export async function unreadableCredentials(
  db: Db,
  heldIds: string[],
): Promise<{ count: number; byKey: { keyId: string; count: number }[]; sample: string[] }> {
  const groups = await db
    .selectFrom('credentials')
    .select(['key_id', (eb) => eb.fn.countAll().as('n')])
    .where('key_id', 'not in', heldIds)
    .groupBy('key_id')
    .orderBy('key_id')
    .execute();
  if (groups.length === 0) return { count: 0, byKey: [], sample: [] };
  const sample = await db
    .selectFrom('credentials')
    .select('id')
    .where('key_id', 'not in', heldIds)
    .orderBy('id')
    .limit(5)
    .execute();
  const byKey = groups.map((g) => ({ keyId: g.key_id, count: Number(g.n) }));
  return {
    count: byKey.reduce((sum, g) => sum + g.count, 0),
    byKey,
    sample: sample.map((r) => r.id),
  };
}

/** What to rotate to: a generated key, a given one, or the current key (finishing a rotation). */
export type RotationTarget =
  { kind: 'generate' } | { kind: 'key'; key: MasterKey } | { kind: 'finish' };

export interface RotationReport extends RewrapReport {
  /** The key the credentials are now wrapped by. */
  keyId: string;
  /** The current key when the run started. */
  previousKeyId: string;
  /** Whether the current key comes from the key file (`usesKeyFile`) or TASKWIRE_MASTER_KEY. */
  usesKeyFile: boolean;
  /**
   * replaced: master.key now holds the new key, the old one is in master.key.previous.
   * staged: the new key waits in master.key.next (the run did not finish; run it again).
   * unchanged: no key file was touched.
   */
  keyFile: 'replaced' | 'staged' | 'unchanged';
}

/** Picks the key to rotate to; with a key file, stages it first so an interruption loses nothing. */
function chooseTarget(
  settings: KeyringSettings,
  current: MasterKey,
  target: RotationTarget,
): MasterKey {
  if (!usesKeyFile(settings)) {
    if (target.kind === 'generate') {
      throw new Error(
        'TASKWIRE_MASTER_KEY is set, so there is no key file to write a generated key to. ' +
          'Generate one yourself (e.g. `openssl rand -hex 32`) and pass it with --new-key.',
      );
    }
    return target.kind === 'key' ? target.key : current;
  }
  const nextFile = join(settings.dataDir, KEY_FILES.next);
  const staged = readKeyFile(nextFile);
  if (staged) {
    if (target.kind === 'generate' || (target.kind === 'key' && target.key.id === staged.id))
      return staged;
    throw new Error(
      `A rotation to master key ${staged.id} is unfinished (${nextFile} exists). ` +
        'Finish it first: run again with --generate, or with --new-key and that key.',
    );
  }
  const to =
    target.kind === 'generate' ? generateMasterKey() : target.kind === 'key' ? target.key : current;
  if (to.id === current.id) return current;
  const previous = readKeyFile(join(settings.dataDir, KEY_FILES.previous));
  if (previous && previous.id !== current.id) {
    throw new Error(
      `${KEY_FILES.previous} still holds key ${previous.id} from an earlier rotation. Keep it ` +
        'with the backups that need it (outside the data directory), then run again.',
    );
  }
  writeKeyFile(nextFile, to);
  return to;
}

/**
 * Rotates the master key: re-wraps every credential to the new key and, with a key file,
 * installs the new key only once nothing is left under another one, keeping the old key as
 * master.key.previous (0600). Safe to run again after an interruption.
 */
export async function rotateMasterKey(
  db: Db,
  settings: KeyringSettings,
  target: RotationTarget,
  options: RewrapOptions = {},
): Promise<RotationReport> {
  const keyring = openKeyring(settings);
  const current = keyring.current;
  const to = chooseTarget(settings, current, target);
  const keys: KeySource = { find: (kid) => (kid === to.id ? to : keyring.find(kid)) };
  const report = await rewrapCredentials(db, keys, to, options);
  const fileMode = usesKeyFile(settings);
  let keyFile: RotationReport['keyFile'] = 'unchanged';
  if (fileMode && to.id !== current.id) {
    keyFile = 'staged';
    if (report.remaining === 0) {
      const dir = settings.dataDir;
      // The old key is written first: a crash between the two steps leaves a resumable state.
      writeKeyFile(join(dir, KEY_FILES.previous), current);
      moveKeyFile(join(dir, KEY_FILES.next), join(dir, KEY_FILES.current));
      keyFile = 'replaced';
    }
  }
  return { ...report, keyId: to.id, previousKeyId: current.id, usesKeyFile: fileMode, keyFile };
}
