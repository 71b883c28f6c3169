// Envelope encryption with AES-256-GCM: each secret gets a fresh data key, which the master
// key wraps. The additional data binds a ciphertext to its owner, row and type, so a sealed
// value copied into another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import type { Keyring } from './keyring.js';
import type { MasterKey } from './master-key.js';

const ALGORITHM = 'aes-256-gcm';

/** Thrown when a sealed value does not open: tampered, moved, sealed under a key not held, or gone. */
export class UnsealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsealError';
  }
}

/** Where `unseal` finds the key an envelope names: a single key, or a keyring. */
export type KeySource = MasterKey | Pick<Keyring, 'find'>;

interface Envelope {
  v: 1;
  /** Id of the master key that wrapped `dek`. */
  kid: string;
  /** The data key, wrapped by the master key. */
  dek: string;
  /** The secret, encrypted with the data key. */
  ct: string;
}

/** Additional data binding a sealed credential to its account, row and type. */
export const credentialAad = (row: {
  account_id: string;
  id: string;
  credential_type: string;
}): string => `credential|v1|${row.account_id}|${row.id}|${row.credential_type}`;

function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function decrypt(key: Buffer, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < 28) throw new UnsealError('Sealed value is truncated.');
  const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  } catch {
    throw new UnsealError('Sealed value failed authentication (tampered, moved or wrong key).');
  }
}

function parseEnvelope(sealed: string): Envelope {
  let envelope: { v?: unknown; kid?: unknown; dek?: unknown; ct?: unknown };
  try {
    envelope = JSON.parse(sealed) as typeof envelope;
  } catch {
    throw new UnsealError('Sealed value is not an envelope.');
  }
  if (
    envelope.v !== 1 ||
    typeof envelope.kid !== 'string' ||
    typeof envelope.dek !== 'string' ||
    typeof envelope.ct !== 'string'
  ) {
    throw new UnsealError('Sealed value has an unknown envelope version.');
  }
  return { v: 1, kid: envelope.kid, dek: envelope.dek, ct: envelope.ct };
}

function keyFor(keys: KeySource, kid: string): MasterKey {
  const key = 'find' in keys ? keys.find(kid) : keys.id === kid ? keys : undefined;
  if (!key) throw new UnsealError(`Sealed under master key ${kid}, which is not held.`);
  return key;
}

/** Seals `secret` for the row named by `aad`; returns a self-describing envelope string. */
export function seal(master: MasterKey, secret: unknown, aad: string): string {
  const dataKey = randomBytes(32);
  const envelope: Envelope = {
    v: 1,
    kid: master.id,
    dek: encrypt(master.key, dataKey, `dek|${aad}`),
    ct: encrypt(dataKey, Buffer.from(JSON.stringify(secret)), `data|${aad}`),
  };
  return JSON.stringify(envelope);
}

/** Opens an envelope sealed by `seal` for the same `aad`; the result is unknown until parsed. */
export function unseal(keys: KeySource, sealed: string, aad: string): unknown {
  const envelope = parseEnvelope(sealed);
  const dataKey = decrypt(keyFor(keys, envelope.kid).key, envelope.dek, `dek|${aad}`);
  return JSON.parse(decrypt(dataKey, envelope.ct, `data|${aad}`).toString('utf8')) as unknown;
}

/**
 * Re-wraps an envelope's data key under `to`. The secret is not decrypted and `ct` is kept
 * byte for byte; the wrapped key is authenticated on the way, so a tampered `dek` (or one
 * moved from another row) throws rather than being re-wrapped.
 */
export function rewrap(keys: KeySource, sealed: string, aad: string, to: MasterKey): string {
  const envelope = parseEnvelope(sealed);
  const dataKey = decrypt(keyFor(keys, envelope.kid).key, envelope.dek, `dek|${aad}`);
  const rewrapped: Envelope = {
    v: 1,
    kid: to.id,
    dek: encrypt(to.key, dataKey, `dek|${aad}`),
    ct: envelope.ct,
  };
  return JSON.stringify(rewrapped);
}
