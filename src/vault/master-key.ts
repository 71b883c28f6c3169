// The master key (KEK) that wraps every credential's data key. It comes from
// TASKWIRE_MASTER_KEY or from a key file (mode 0600) generated in the data directory; it is
// never stored in the database.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface MasterKey {
  /** Short fingerprint stored beside each sealed secret, so rotation knows what wrapped it. */
  id: string;
  key: Buffer;
}

function parseKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      `${source} must be 32 bytes, as 64 hex characters or base64 (got ${key.length} bytes).`,
    );
  }
  return key;
}

const fingerprint = (key: Buffer): string =>
  createHash('sha256').update('taskwire-kek').update(key).digest('hex').slice(0, 12);

/** Loads the master key from the configured value, else from (or into) the key file. */
export function loadMasterKey(configured: string | undefined, keyFile: string): MasterKey {
  if (configured) {
    const key = parseKey(configured, 'TASKWIRE_MASTER_KEY');
    return { id: fingerprint(key), key };
  }
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(keyFile, 0o600);
  const key = parseKey(readFileSync(keyFile, 'utf8'), `Key file ${keyFile}`);
  return { id: fingerprint(key), key };
}
