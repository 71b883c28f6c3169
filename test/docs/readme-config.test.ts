// The README's configuration table lists every setting the config schema reads.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { SETTINGS } from '../../src/config/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration table', () => {
  it.each(Object.values(SETTINGS).map(([env]) => env))('documents %s', (env) => {
    expect(readme).toMatch(new RegExp(`\\|\\s*\`${env}\`\\s*\\|`));
  });
});
