// The master keys the vault holds: the current one seals new secrets, every one held opens
// envelopes. Besides the configured previous keys, a key-file setup also holds the key a
// rotation staged (master.key.next) and the one it retired (master.key.previous).
import { join } from 'node:path';

import { loadMasterKey, type MasterKey, parseMasterKey, readKeyFile } from './master-key.js';

/** Names of the key files in the data directory. */
export const KEY_FILES = {
  current: 'master.key',
  /** Written before a rotation re-wraps anything, so an interrupted run can resume. */
  next: 'master.key.next',
  /** The key a finished rotation replaced; kept until no backup needs it. */
  previous: 'master.key.previous',
} as const;

export interface Keyring {
  /** The key new secrets are sealed under. */
  readonly current: MasterKey;
  /** The held key with this id, or undefined. */
  find(kid: string): MasterKey | undefined;
  /** Ids of every key held, the current one first. */
  ids(): string[];
}

/** The settings a keyring is built from (a subset of the config). */
export interface KeyringSettings {
  /** TASKWIRE_MASTER_KEY; empty means the key file in `dataDir`. */
  masterKey: string;
  /** TASKWIRE_PREVIOUS_MASTER_KEYS. */
  previousMasterKeys: readonly string[];
  dataDir: string;
}

/** A keyring of fixed keys: the current one and any previous ones. */
export function fixedKeyring(current: MasterKey, previous: readonly MasterKey[] = []): Keyring {
  const keys = new Map<string, MasterKey>();
  for (const key of [current, ...previous]) if (!keys.has(key.id)) keys.set(key.id, key);
  return { current, find: (kid) => keys.get(kid), ids: () => [...keys.keys()] };
}

/** True when the current key lives in the key file rather than in TASKWIRE_MASTER_KEY. */
export const usesKeyFile = (settings: KeyringSettings): boolean => settings.masterKey === '';

/** The keys in the data directory's key files; `next` is read before `current` on purpose. */
function keyFileKeys(dataDir: string): MasterKey[] {
  // A finishing rotation renames master.key.next over master.key. Reading next first means the
  // new key is seen in one of the two whenever the rename happens between the reads.
  return [KEY_FILES.next, KEY_FILES.current, KEY_FILES.previous]
    .map((name) => readKeyFile(join(dataDir, name)))
    .filter((key): key is MasterKey => key !== undefined);
}

/** Opens the keyring the config describes; a malformed key fails here, before serving. */
export function openKeyring(settings: KeyringSettings): Keyring {
  const current = loadMasterKey(
    settings.masterKey || undefined,
    join(settings.dataDir, KEY_FILES.current),
  );
  const configured = settings.previousMasterKeys.map((value, i) =>
    parseMasterKey(value, `TASKWIRE_PREVIOUS_MASTER_KEYS entry ${i + 1}`),
  );
  const fromFiles = usesKeyFile(settings) ? keyFileKeys(settings.dataDir) : [];
  const held = fixedKeyring(current, [...configured, ...fromFiles]);
  const extra = new Map<string, MasterKey>();
  return {
    current,
    find(kid) {
      const known = held.find(kid) ?? extra.get(kid);
      if (known || !usesKeyFile(settings)) return known;
      // `keys rotate-master` may be running beside this process: the envelope names the key it
      // staged (or has just installed). Re-read the key files rather than fail the job.
      try {
        for (const key of keyFileKeys(settings.dataDir)) extra.set(key.id, key);
      } catch {
        return undefined;
      }
      return extra.get(kid);
    },
    ids: () => [...new Set([...held.ids(), ...extra.keys()])],
  };
}
