// The Hacker News catalog end to end: POST /task through the real API and worker, with all
// three HN origins mapped to the one stand-in by TASKWIRE_ORIGIN_HACKERNEWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type HackerNewsSite,
  IDS,
  startHackerNewsSite,
} from '../fixtures/sites/hackernews/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let site: HackerNewsSite;
let server: TestServer;

beforeAll(async () => {
  site = await startHackerNewsSite();
  server = await startTestServer({ env: { TASKWIRE_ORIGIN_HACKERNEWS: site.origin } });
});
afterAll(async () => {
  await server?.close();
  await site?.close();
});

const balance = async (key: string) =>
  (await call(server, 'GET', '/v1/wire/credits', { key })).body.balance as number;

async function runTask(key: string, action_id: string, params: Record<string, unknown>) {
  const res = await call(server, 'POST', '/v1/wire/task', { key, body: { action_id, params } });
  expect(res.status).toBe(202);
  return waitForJob(server, key, res.body.job_id);
}

describe('hackernews catalog end to end', () => {
  it('lists the catalog with its three actions and their schemas', async () => {
    const res = await call(server, 'GET', '/v1/wire/catalog/hackernews');
    expect(res.status).toBe(200);
    expect(res.body.catalog).toMatchObject({ slug: 'hackernews', auth_required: false });
    const actions = res.body.actions.map((a: { action_id: string; credits_per_call: number }) => [
      a.action_id,
      a.credits_per_call,
    ]);
    expect(actions).toEqual([
      ['hn_stories', 1],
      ['hn_search', 1],
      ['hn_item', 2],
    ]);
    const item = res.body.actions.find((a: { action_id: string }) => a.action_id === 'hn_item');
    expect(item.parameters.map((p: { name: string }) => p.name)).toEqual([
      'id',
      'max_depth',
      'max_comments',
    ]);
    // The comment tree's schema is cyclic: it must survive the trip as JSON.
    expect(item.output_schema.properties.comments.items.$ref).toBe('Comment');
  });

  it('runs hn_stories with the defaults applied and charges 1 credit', async () => {
    const account = await server.newAccount(10);
    const done = await runTask(account.key, 'hn_stories', { limit: 3 });
    expect(done).toMatchObject({ status: 'completed', credits_used: 1 });
    expect(done.data.list).toBe('top');
    expect(done.data.stories.map((s: { id: number }) => s.id)).toEqual([
      IDS.thread,
      IDS.ask,
      IDS.job,
    ]);
    expect(await balance(account.key)).toBe(9);
  });

  it('runs hn_item for 2 credits and returns the comment tree', async () => {
    const account = await server.newAccount(10);
    const done = await runTask(account.key, 'hn_item', { id: IDS.thread, max_depth: 2 });
    expect(done).toMatchObject({ status: 'completed', credits_used: 2 });
    expect(done.data.comments).toHaveLength(3);
    expect(done.data.comments[2].replies).toHaveLength(12);
    expect(JSON.stringify(done.data)).not.toContain('null');
    expect(await balance(account.key)).toBe(8);
  });

  it('runs hn_search against the Algolia path of the same stand-in', async () => {
    const account = await server.newAccount(10);
    const done = await runTask(account.key, 'hn_search', { query: 'tallow' });
    expect(done.status).toBe('completed');
    expect(done.data.hits[0]).toMatchObject({ id: IDS.thread, author: 'tcook_dev' });
    expect(site.hits).toContain('/api/v1/search?query=tallow&hitsPerPage=20');
  });

  it('fails a job for a deleted item without retrying, and refunds it', async () => {
    const account = await server.newAccount(10);
    const done = await runTask(account.key, 'hn_item', { id: IDS.deletedStory });
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: {
        code: 'EXECUTION_FAILED',
        message: `Hacker News item ${IDS.deletedStory} was deleted.`,
      },
    });
    expect(await balance(account.key)).toBe(10);
  });

  it('refuses params outside the schema with 400 and charges nothing', async () => {
    const account = await server.newAccount(10);
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'hn_stories', params: { list: 'ask', limit: 500 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PARAMS');
    expect(await balance(account.key)).toBe(10);
  });
});
