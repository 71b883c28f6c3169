// Envelope encryption with AES-256-GCM: each secret gets a fresh data key, which the master
// key wraps. The additional data binds a ciphertext to its owner, row and type, so a sealed
// value copied into another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import type { MasterKey } from './master-key.js';

const ALGORITHM = 'aes-256-gcm';

/** Thrown when a sealed value does not open: tampered, moved, or sealed under another key. */
export class UnsealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsealError';
  }
}

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

/** Seals `secret` for the row named by `aad`; returns a self-describing envelope string. */
export function seal(master: MasterKey, secret: unknown, aad: string): string {
  const dataKey = randomBytes(32);
  const envelope = {
    v: 1,
    kid: master.id,
    dek: encrypt(master.key, dataKey, `dek|${aad}`),
    ct: encrypt(dataKey, Buffer.from(JSON.stringify(secret)), `data|${aad}`),
  };
  return JSON.stringify(envelope);
}

/** Opens an envelope sealed by `seal` for the same `aad`; the result is unknown until parsed. */
export function unseal(master: MasterKey, sealed: string, aad: string): unknown {
  let envelope: { v?: unknown; kid?: unknown; dek?: unknown; ct?: unknown };
  try {
    envelope = JSON.parse(sealed) as typeof envelope;
  } catch {
    throw new UnsealError('Sealed value is not an envelope.');
  }
  if (envelope.v !== 1 || typeof envelope.dek !== 'string' || typeof envelope.ct !== 'string') {
    throw new UnsealError('Sealed value has an unknown envelope version.');
  }
  if (envelope.kid !== master.id) {
    throw new UnsealError(`Sealed under master key ${String(envelope.kid)}, not the current one.`);
  }
  const dataKey = decrypt(master.key, envelope.dek, `dek|${aad}`);
  return JSON.parse(decrypt(dataKey, envelope.ct, `data|${aad}`).toString('utf8')) as unknown;
}
