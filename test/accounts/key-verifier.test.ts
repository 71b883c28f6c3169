// Which account a key belongs to, as every request asks it: remembered on SQLite until this
// process or another one changes the database, looked up every time on PostgreSQL. Either
// way a revocation counts from the next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createAccount,
  createApiKey,
  createKeyVerifier,
  revokeApiKey,
} from '../../src/accounts/index.js';
import { openStore } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

describe.each(DIALECTS)('key verifier on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('knows a key, and refuses unknown, malformed and revoked ones', async () => {
    const { db } = database.store;
    const verifier = createKeyVerifier(db, database.store.dataVersion);
    const account = await createAccount(db, { name: 'keys', credits: 0 });
    const created = await createApiKey(db, account.id);
    expect(await verifier.verify(created.key)).toEqual({
      accountId: account.id,
      keyId: created.id,
    });
    // The right prefix with a wrong secret, a made-up key, and no key shape at all.
    const forged = `${created.key.slice(0, -4)}AAAA`;
    expect(await verifier.verify(forged)).toBeUndefined();
    expect(await verifier.verify(`tw_${'a'.repeat(12)}_${'b'.repeat(43)}`)).toBeUndefined();
    expect(await verifier.verify('not a key')).toBeUndefined();
    // Asking again gives the same answers.
    expect(await verifier.verify(forged)).toBeUndefined();
    expect((await verifier.verify(created.key))?.accountId).toBe(account.id);
  });

  it('refuses a key on the next request once another process revokes it', async () => {
    const { db } = database.store;
    const verifier = createKeyVerifier(db, database.store.dataVersion);
    const account = await createAccount(db, { name: 'revoked elsewhere', credits: 0 });
    const created = await createApiKey(db, account.id);
    await createApiKey(db, account.id, 'spare');
    expect(await verifier.verify(created.key)).toBeDefined();
    // Another connection to the same database, as `taskwire keys revoke` opens.
    const other = openStore(database.url);
    try {
      await revokeApiKey(other.db, created.id);
    } finally {
      await other.close();
    }
    expect(await verifier.verify(created.key)).toBeUndefined();
  });

  it('forgets its verdicts when this process revokes a key', async () => {
    const { db } = database.store;
    const verifier = createKeyVerifier(db, database.store.dataVersion);
    const account = await createAccount(db, { name: 'revoked here', credits: 0 });
    const created = await createApiKey(db, account.id);
    expect(await verifier.verify(created.key)).toBeDefined();
    await revokeApiKey(db, created.id);
    verifier.forget();
    expect(await verifier.verify(created.key)).toBeUndefined();
  });
});

describe('key verifier on sqlite, remembering', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('answers from memory while nothing else has written to the database', async () => {
    const { db } = database.store;
    const verifier = createKeyVerifier(db, database.store.dataVersion);
    const account = await createAccount(db, { name: 'cached', credits: 0 });
    const created = await createApiKey(db, account.id);
    expect(await verifier.verify(created.key)).toBeDefined();
    // Changed behind the verifier's back on its own connection, which `data_version` does not
    // count: the remembered verdict stands until this process says it changed something.
    await db.deleteFrom('api_keys').where('id', '=', created.id).execute();
    expect(await verifier.verify(created.key)).toEqual({
      accountId: account.id,
      keyId: created.id,
    });
    verifier.forget();
    expect(await verifier.verify(created.key)).toBeUndefined();
  });
});
