// Queries compiled once and run with new values: the same rows as the builder would give, on
// both dialects, and a builder that writes in a value of its own is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { prepared } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

describe.each(DIALECTS)('prepared queries on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('runs the compiled query with each call’s values in their places', async () => {
    const { db } = database.store;
    const a = await createAccount(db, { name: 'prepared-a', credits: 5 });
    const b = await createAccount(db, { name: 'prepared-b', credits: 7 });
    // Two arguments, used in the opposite order to their declaration.
    const byNameAndId = prepared((d, args: { id: string; name: string }) =>
      d
        .selectFrom('accounts')
        .select(['id', 'name'])
        .where('name', '=', args.name)
        .where('id', '=', args.id),
    );
    expect(await byNameAndId(db, { id: a.id, name: 'prepared-a' })).toEqual([
      { id: a.id, name: 'prepared-a' },
    ]);
    expect(await byNameAndId(db, { id: b.id, name: 'prepared-b' })).toEqual([
      { id: b.id, name: 'prepared-b' },
    ]);
    expect(await byNameAndId(db, { id: a.id, name: 'prepared-b' })).toEqual([]);
  });

  it('refuses a builder that puts a value of its own into the query', async () => {
    const { db } = database.store;
    const frozen = prepared((d, args: { name: string }) =>
      d.selectFrom('accounts').select('id').where('name', '=', args.name).where('balance', '>', 0),
    );
    await expect(frozen(db, { name: 'x' })).rejects.toThrow(/no argument/);
  });
});
