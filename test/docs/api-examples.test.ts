// Runs every code block marked `example` in docs/api.md (shell, TypeScript, Python) against
// a real server, so the documentation's examples cannot drift from the API. Every other code
// block must say it is a sketch, so nothing that looks runnable escapes the run.
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
/** Every fenced block: its language, the rest of its info string, and its text. */
const blocks = [...doc.matchAll(/^```(\w*)([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => ({
  lang: m[1]!,
  info: m[2]!.trim(),
  code: m[3]!,
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

  it('marks every code block that is not run as illustrative, saying so in its first line', () => {
    expect(blocks.length).toBeGreaterThan(examples.length);
    for (const block of blocks) {
      const where = `${block.lang} block: ${block.code.slice(0, 60)}`;
      // JSON blocks show response shapes; they must at least be JSON.
      if (block.lang === 'json') {
        expect(() => JSON.parse(block.code), where).not.toThrow();
        continue;
      }
      expect(['example', 'illustrative'], where).toContain(block.info);
      if (block.info === 'illustrative') {
        expect(block.code.split('\n')[0], where).toMatch(/^(#|\/\/) Illustrative: /);
      }
    }
  });

  it('uses curl -f in the shell examples, so an HTTP error fails the script', () => {
    for (const block of blocks.filter((b) => b.lang === 'sh')) {
      for (const curl of block.code.match(/curl [^|\n]*/g) ?? []) {
        expect(curl, curl).toMatch(/^curl -\w*f/);
      }
    }
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
