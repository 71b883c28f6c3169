// Runs every code block marked `example` in docs/api.md (shell, TypeScript, Python) against
// a real server, so the documentation's examples cannot drift from the API.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { startTestServer, type TestServer } from '../support/taskwire.js';

const run = promisify(execFile);
const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```(sh|ts|python) example\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1]!,
  code: m[2]!,
}));
const root = new URL('../..', import.meta.url).pathname;

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
  dir = mkdtempSync(join(root, '.docs-example-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/api.md examples', () => {
  it('has one example per language', () => {
    expect(examples.map((e) => e.lang).sort()).toEqual(['python', 'sh', 'ts']);
  });

  it.each(examples)('runs the $lang example', async ({ lang, code }) => {
    const env = { ...process.env, TASKWIRE_URL: server.url, TASKWIRE_API_KEY: server.key };
    let stdout: string;
    if (lang === 'sh') {
      ({ stdout } = await run('bash', ['-euo', 'pipefail', '-c', code], { env }));
      expect(stdout).toContain('"action_id":"web_scrape"');
    } else if (lang === 'python') {
      ({ stdout } = await run('python3', ['-c', code], { env }));
    } else {
      // Inside the repository so `@taskwire/client` resolves to the workspace package.
      const file = join(dir, 'example.mts');
      writeFileSync(file, code);
      ({ stdout } = await run(process.execPath, ['--import', 'tsx', file], { env, cwd: root }));
    }
    expect(stdout).toMatch(/completed|hello/);
    expect(stdout).toContain('hello');
  });
});
