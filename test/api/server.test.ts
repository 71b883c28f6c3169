// Invariants of the HTTP layer that no single route test shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { createTaskwire } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';

describe('the API server', () => {
  it('refuses to register a route without a response schema', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'taskwire-api-'));
    const taskwire = await createTaskwire({
      config: loadConfig({ TASKWIRE_DATA_DIR: dataDir }),
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(() => taskwire.server.get('/leaky', async () => ({ secret: 'x' }))).toThrow(
        /no response schema/,
      );
      expect(() =>
        taskwire.server.get(
          '/fine',
          { schema: { response: { 200: { type: 'object' } } } },
          async () => ({}),
        ),
      ).not.toThrow();
    } finally {
      await taskwire.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
