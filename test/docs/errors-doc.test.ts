// docs/errors.md and the code agree: every error code the code can produce is documented,
// and the document lists no code the code does not know.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ERROR_CODES } from '../../src/errors/index.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/^\|\s*`([A-Z_]+)`/gm)].map((m) => m[1]));

describe('docs/errors.md', () => {
  it.each(ERROR_CODES)('documents %s', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no code the code does not have', () => {
    expect(
      [...documented].filter((c) => !(ERROR_CODES as readonly string[]).includes(c as string)),
    ).toEqual([]);
  });
});
