// Sealing: secrets round-trip, every envelope is fresh, and a tampered or moved ciphertext
// is detected rather than decrypted to garbage.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  fixedKeyring,
  generateMasterKey,
  loadMasterKey,
  rewrap,
  seal,
  UnsealError,
  unseal,
} from '../../src/vault/index.js';

const master = { id: 'k1', key: randomBytes(32) };

describe('seal / unseal', () => {
  it('round-trips a secret and never stores it in the clear', () => {
    const secret = { type: 'token', token: 'CANARY-seal-123' };
    const sealed = seal(master, secret, 'credential|v1|acct|cred|token');
    expect(sealed).not.toContain('CANARY');
    expect(unseal(master, sealed, 'credential|v1|acct|cred|token')).toEqual(secret);
  });

  it('uses a fresh data key and IV every time', () => {
    const envelopes = new Set(Array.from({ length: 200 }, () => seal(master, 'same', 'aad')));
    expect(envelopes.size).toBe(200);
  });

  it('refuses a ciphertext moved to another row (additional data differs)', () => {
    const sealed = seal(master, 'secret', 'credential|v1|acctA|cred1|token');
    expect(() => unseal(master, sealed, 'credential|v1|acctB|cred1|token')).toThrow(UnsealError);
    expect(() => unseal(master, sealed, 'credential|v1|acctA|cred2|token')).toThrow(UnsealError);
  });

  it('detects a flipped bit anywhere in the envelope', () => {
    const sealed = seal(master, { password: 'p' }, 'aad');
    const envelope = JSON.parse(sealed) as { ct: string; dek: string };
    for (const field of ['ct', 'dek'] as const) {
      const raw = Buffer.from(envelope[field], 'base64');
      for (const offset of [0, 12, 20, raw.length - 1]) {
        const flipped = Buffer.from(raw);
        flipped[offset] = (flipped[offset] as number) ^ 1;
        const tampered = JSON.stringify({ ...envelope, [field]: flipped.toString('base64') });
        expect(() => unseal(master, tampered, 'aad')).toThrow(UnsealError);
      }
    }
  });

  it('refuses an envelope sealed under another master key', () => {
    const sealed = seal(master, 'x', 'aad');
    expect(() => unseal({ id: 'k2', key: randomBytes(32) }, sealed, 'aad')).toThrow(UnsealError);
    expect(() => unseal({ id: 'k1', key: randomBytes(32) }, sealed, 'aad')).toThrow(UnsealError);
  });
});

describe('rewrap', () => {
  const next = generateMasterKey();
  const envelope = (sealed: string) =>
    JSON.parse(sealed) as { kid: string; dek: string; ct: string };

  it('re-wraps the data key under the new key and keeps the ciphertext byte for byte', () => {
    const sealed = seal(master, { token: 'CANARY-rewrap' }, 'aad');
    const moved = rewrap(master, sealed, 'aad', next);
    expect(envelope(moved).ct).toBe(envelope(sealed).ct);
    expect(envelope(moved).dek).not.toBe(envelope(sealed).dek);
    expect(envelope(moved).kid).toBe(next.id);
    expect(unseal(next, moved, 'aad')).toEqual({ token: 'CANARY-rewrap' });
    expect(() => unseal(master, moved, 'aad')).toThrow(UnsealError);
  });

  it('refuses to re-wrap a tampered data key or one bound to another row', () => {
    const sealed = seal(master, 'x', 'aad');
    const raw = Buffer.from(envelope(sealed).dek, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    const tampered = JSON.stringify({ ...envelope(sealed), dek: raw.toString('base64') });
    expect(() => rewrap(master, tampered, 'aad', next)).toThrow(UnsealError);
    expect(() => rewrap(master, sealed, 'other-row', next)).toThrow(UnsealError);
  });

  it('opens envelopes under any key of a keyring, picked by the envelope key id', () => {
    const old = seal(master, 'old', 'aad');
    const fresh = seal(next, 'new', 'aad');
    const keyring = fixedKeyring(next, [master]);
    expect(unseal(keyring, old, 'aad')).toBe('old');
    expect(unseal(keyring, fresh, 'aad')).toBe('new');
    expect(() => unseal(fixedKeyring(next), old, 'aad')).toThrow(
      /master key k1, which is not held/,
    );
  });
});

describe('master key', () => {
  it('generates a 0600 key file once and reads the same key back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskwire-key-'));
    try {
      const file = join(dir, 'master.key');
      const first = loadMasterKey(undefined, file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadMasterKey(undefined, file)).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a configured key in hex or base64 and rejects a short one', () => {
    const key = randomBytes(32);
    expect(loadMasterKey(key.toString('hex'), '/nonexistent').key).toEqual(key);
    expect(loadMasterKey(key.toString('base64'), '/nonexistent').key).toEqual(key);
    expect(() => loadMasterKey('abcd', '/nonexistent')).toThrow(/32 bytes/);
  });
});
