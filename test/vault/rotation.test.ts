// Master-key rotation on both dialects: data keys are re-wrapped in batches with ciphertexts
// untouched, an interrupted run finishes when run again, the startup check names credentials
// no held key opens, and tampering is still caught after a rotation.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import {
  createVault,
  fixedKeyring,
  generateMasterKey,
  type NewCredential,
  rewrapCredentials,
  UnsealError,
  type Vault,
} from '../../src/vault/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

/** One credential of each type, each secret a canary. */
const SECRETS: NewCredential[] = [
  {
    type: 'browser_state',
    data: { cookies: [{ name: 'sid', value: 'CANARY-cookie', domain: '.example.com' }] },
  },
  { type: 'api_key', data: 'CANARY-api-key' },
  { type: 'token', data: { token: 'CANARY-token' } },
  { type: 'credentials', data: { username: 'me', password: 'CANARY-password' } },
];

const oldKey = generateMasterKey();
const newKey = generateMasterKey();

interface Envelope {
  v: number;
  kid: string;
  dek: string;
  ct: string;
}

describe.each(DIALECTS)('master-key rotation on %s', (dialect) => {
  let database: TestDatabase;
  afterEach(async () => database?.drop());

  /** A database with one identity per secret, all sealed under `oldKey`; returns credential ids. */
  async function seeded(): Promise<{ vault: Vault; ids: string[] }> {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'rotation', credits: 0 });
    const vault = createVault({ db, master: oldKey });
    const ids: string[] = [];
    for (const [i, credential] of SECRETS.entries()) {
      const identity = await vault.createIdentity(account.id, {
        catalogSlug: 'web',
        name: `identity ${i}`,
        credential,
      });
      ids.push(identity.credentials[0]!.id);
    }
    return { vault, ids };
  }

  const rows = async () =>
    (
      await database.store.db
        .selectFrom('credentials')
        .select(['id', 'sealed', 'key_id'])
        .orderBy('id')
        .execute()
    ).map((r) => ({ ...r, envelope: JSON.parse(r.sealed) as Envelope }));

  it('re-wraps every data key: ct unchanged, dek and key_id changed, all open under the new key alone', async () => {
    const { vault, ids } = await seeded();
    const opened = await Promise.all(ids.map((id) => vault.open(id)));
    const before = await rows();

    const report = await rewrapCredentials(database.store.db, oldKey, newKey);
    expect(report).toEqual({ rewrapped: 4, failed: [], remaining: 0 });

    const after = await rows();
    for (const [i, row] of after.entries()) {
      expect(row.key_id).toBe(newKey.id);
      expect(row.envelope.kid).toBe(newKey.id);
      expect(row.envelope.ct).toBe(before[i]!.envelope.ct);
      expect(row.envelope.dek).not.toBe(before[i]!.envelope.dek);
    }
    const rotated = createVault({ db: database.store.db, master: newKey });
    expect(await Promise.all(ids.map((id) => rotated.open(id)))).toEqual(opened);
    await expect(rotated.checkReadable()).resolves.toBeUndefined();
    await expect(vault.open(ids[0]!)).rejects.toThrow(UnsealError);
  });

  it('finishes an interrupted rotation when run again, skipping rows already done', async () => {
    const { ids } = await seeded();
    const first = await rewrapCredentials(database.store.db, oldKey, newKey, {
      batchSize: 1,
      maxBatches: 1,
    });
    expect(first).toEqual({ rewrapped: 1, failed: [], remaining: 3 });
    expect((await rows()).map((r) => r.key_id).sort()).toEqual(
      [newKey.id, oldKey.id, oldKey.id, oldKey.id].sort(),
    );

    // Mid-rotation a server holding the new key and the old one as previous opens everything.
    const midway = createVault({ db: database.store.db, master: fixedKeyring(newKey, [oldKey]) });
    await expect(midway.checkReadable()).resolves.toBeUndefined();
    for (const id of ids) await expect(midway.open(id)).resolves.toBeDefined();

    const keys = fixedKeyring(newKey, [oldKey]);
    const rest = await rewrapCredentials(database.store.db, keys, newKey, { batchSize: 2 });
    expect(rest).toEqual({ rewrapped: 3, failed: [], remaining: 0 });
    expect(await rewrapCredentials(database.store.db, keys, newKey)).toEqual({
      rewrapped: 0,
      failed: [],
      remaining: 0,
    });
    const rotated = createVault({ db: database.store.db, master: newKey });
    for (const id of ids) await expect(rotated.open(id)).resolves.toBeDefined();
  });

  it('fails the startup check, naming the count and key of unreadable credentials, once the old key is gone', async () => {
    const { ids } = await seeded();
    await rewrapCredentials(database.store.db, oldKey, newKey, { batchSize: 1, maxBatches: 1 });
    const withoutOld = createVault({ db: database.store.db, master: newKey });
    const check = withoutOld.checkReadable();
    await expect(check).rejects.toThrow(`3 credential(s) are sealed under a master key`);
    await expect(check).rejects.toThrow(`3 under key ${oldKey.id}`);
    const message = await check.then(
      () => '',
      (e: Error) => e.message,
    );
    expect(ids.some((id) => message.includes(id))).toBe(true);
    expect(message).not.toContain('CANARY');
  });

  it('still detects a tampered dek or ct after rotation', async () => {
    const { ids } = await seeded();
    await rewrapCredentials(database.store.db, oldKey, newKey);
    const flip = (b64: string) => {
      const raw = Buffer.from(b64, 'base64');
      raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
      return raw.toString('base64');
    };
    const [a, b] = (await rows()).filter((r) => r.id === ids[0] || r.id === ids[1]);
    for (const [row, field] of [
      [a!, 'dek'],
      [b!, 'ct'],
    ] as const) {
      const tampered = { ...row.envelope, [field]: flip(row.envelope[field]) };
      await database.store.db
        .updateTable('credentials')
        .set({ sealed: JSON.stringify(tampered) })
        .where('id', '=', row.id)
        .execute();
    }
    const rotated = createVault({ db: database.store.db, master: newKey });
    await expect(rotated.open(ids[0]!)).rejects.toThrow(UnsealError);
    await expect(rotated.open(ids[1]!)).rejects.toThrow(UnsealError);
    await expect(rotated.open(ids[2]!)).resolves.toMatchObject({ type: 'token' });
  });

  it('reports a credential whose data key will not open, leaves it as it was, and re-wraps the rest', async () => {
    const { ids } = await seeded();
    const victim = (await rows()).find((r) => r.id === ids[2])!;
    const tampered = JSON.stringify({ ...victim.envelope, dek: victim.envelope.ct });
    await database.store.db
      .updateTable('credentials')
      .set({ sealed: tampered })
      .where('id', '=', victim.id)
      .execute();

    const report = await rewrapCredentials(database.store.db, oldKey, newKey);
    expect(report).toEqual({ rewrapped: 3, failed: [victim.id], remaining: 1 });
    const after = (await rows()).find((r) => r.id === victim.id)!;
    expect(after).toMatchObject({ sealed: tampered, key_id: oldKey.id });
  });
});
