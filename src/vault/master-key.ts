// The master key (KEK) that wraps every credential's data key. It comes from
// TASKWIRE_MASTER_KEY or from a key file (mode 0600) generated in the data directory; it is
// never stored in the database.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export interface MasterKey {
  /** Short fingerprint stored beside each sealed secret, so rotation knows what wrapped it. */
  id: string;
  key: Buffer;
}

const fingerprint = (key: Buffer): string =>
  createHash('sha256').update('taskwire-kek').update(key).digest('hex').slice(0, 12);

/** Parses 32 bytes given as 64 hex characters or base64; errors name `source`, never the value. */
export function parseMasterKey(text: string, source: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      `${source} must be 32 bytes, as 64 hex characters or base64 (got ${key.length} bytes).`,
    );
  }
  return { id: fingerprint(key), key };
}

/** A fresh random master key. */
export function generateMasterKey(): MasterKey {
  const key = randomBytes(32);
  return { id: fingerprint(key), key };
}

/** Loads the master key from the configured value, else from (or into) the key file. */
export function loadMasterKey(configured: string | undefined, keyFile: string): MasterKey {
  if (configured) return parseMasterKey(configured, 'TASKWIRE_MASTER_KEY');
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(keyFile, 0o600);
  return parseMasterKey(readFileSync(keyFile, 'utf8'), `Key file ${keyFile}`);
}

/** The key in a key file, or undefined when there is no such file. */
export function readKeyFile(path: string): MasterKey | undefined {
  if (!existsSync(path)) return undefined;
  return parseMasterKey(readFileSync(path, 'utf8'), `Key file ${path}`);
}

/** Flushes a directory entry, so a rename survives a power cut and not only a crash. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a key file (mode 0600) so that `path` holds either the old content or the whole new
 * key, never a torn one: a temporary file is written and flushed, then renamed over `path`.
 */
export function writeKeyFile(path: string, key: MasterKey): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, key.key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

/** Renames one key file over another durably (the rename is atomic on one file system). */
export function moveKeyFile(from: string, to: string): void {
  renameSync(from, to);
  syncDirectory(dirname(to));
}
