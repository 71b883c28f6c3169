// Identity changes on both dialects: at most one default per account and catalog even under
// concurrent switches, renames that clash are 409 (also when they race), deleting an identity
// takes its credentials along, and a deleted credential no longer opens.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { AppError } from '../../src/errors/index.js';
import { createVault, generateMasterKey, UnsealError, type Vault } from '../../src/vault/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const master = generateMasterKey();
const token = { type: 'token' as const, data: 'CANARY-vault-token' };

describe.each(DIALECTS)('vault on %s', (dialect) => {
  let database: TestDatabase;
  let vault: Vault;
  let accountId: string;
  afterEach(async () => database?.drop());

  async function setup(): Promise<void> {
    database = await createTestDatabase(dialect);
    vault = createVault({ db: database.store.db, master });
    accountId = (await createAccount(database.store.db, { name: 'vault', credits: 0 })).id;
  }

  const defaults = async (catalogSlug: string) =>
    (await vault.listIdentities(accountId, catalogSlug)).filter((i) => i.is_default);

  it('keeps exactly one default per account and catalog when switches race', async () => {
    await setup();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++)
      ids.push((await vault.createIdentity(accountId, { catalogSlug: 'web', name: `n${i}` })).id);
    const other = await vault.createIdentity(accountId, {
      catalogSlug: 'linkedin',
      name: 'elsewhere',
      isDefault: true,
    });

    await Promise.all(ids.map((id) => vault.updateIdentity(accountId, id, { isDefault: true })));
    expect(await defaults('web')).toHaveLength(1);
    // Another catalog's default is not touched.
    expect((await defaults('linkedin')).map((i) => i.id)).toEqual([other.id]);

    await vault.updateIdentity(accountId, ids[3]!, { isDefault: true });
    expect((await defaults('web')).map((i) => i.id)).toEqual([ids[3]]);
    await vault.updateIdentity(accountId, ids[3]!, { isDefault: false });
    expect(await defaults('web')).toEqual([]);
  });

  it('answers 409 to a rename onto a taken name, also when renames race', async () => {
    await setup();
    const a = await vault.createIdentity(accountId, { catalogSlug: 'web', name: 'a' });
    await vault.createIdentity(accountId, { catalogSlug: 'web', name: 'b' });
    await expect(vault.updateIdentity(accountId, a.id, { name: ' b ' })).rejects.toMatchObject({
      code: 'CONFLICT',
      status: 409,
    });
    // Keeping one's own name is not a clash.
    await expect(vault.updateIdentity(accountId, a.id, { name: 'a' })).resolves.toBeUndefined();

    const racers = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        vault.createIdentity(accountId, { catalogSlug: 'web', name: `r${i}` }),
      ),
    );
    const results = await Promise.allSettled(
      racers.map((r) => vault.updateIdentity(accountId, r.id, { name: 'same' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'CONFLICT' });
  });

  it("deletes an identity with its credentials, and answers 404 for another account's", async () => {
    await setup();
    const identity = await vault.createIdentity(accountId, {
      catalogSlug: 'web',
      name: 'doomed',
      credential: token,
    });
    await vault.addCredential(accountId, identity.id, token);
    const stranger = (await createAccount(database.store.db, { name: 'x', credits: 0 })).id;
    await expect(vault.deleteIdentity(stranger, identity.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      vault.updateIdentity(stranger, identity.id, { name: 'mine' }),
    ).rejects.toBeInstanceOf(AppError);

    await vault.deleteIdentity(accountId, identity.id);
    const left = await database.store.db
      .selectFrom('credentials')
      .select('id')
      .where('identity_id', '=', identity.id)
      .execute();
    expect(left).toEqual([]);
    await expect(vault.deleteIdentity(accountId, identity.id)).rejects.toMatchObject({
      status: 404,
    });
  });

  it('deletes a credential, after which it no longer opens', async () => {
    await setup();
    const identity = await vault.createIdentity(accountId, {
      catalogSlug: 'web',
      name: 'c',
      credential: token,
    });
    const id = identity.credentials[0]!.id;
    const stranger = (await createAccount(database.store.db, { name: 'y', credits: 0 })).id;
    await expect(vault.deleteCredential(stranger, id)).rejects.toMatchObject({ status: 404 });
    await expect(vault.open(id)).resolves.toMatchObject({ token: 'CANARY-vault-token' });
    await vault.deleteCredential(accountId, id);
    await expect(vault.open(id)).rejects.toThrow(UnsealError);
    expect((await vault.getIdentity(accountId, identity.id)).credentials).toEqual([]);
  });
});
