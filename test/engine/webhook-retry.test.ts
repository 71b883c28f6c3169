// The delivery retry policy: capped exponential backoff with downward jitter, retried until
// the give-up window closes, with one last try exactly at its end.
import { describe, expect, it } from 'vitest';

import { nextState, retryDelayMs } from '../../src/webhooks/index.js';

const policy = { retryBaseMs: 30_000, retryCapMs: 3_600_000, giveUpMs: 86_400_000 };

describe('webhook retry policy', () => {
  it('doubles from the base up to the cap, jitter only shortening by at most 20%', () => {
    const top = (n: number) => retryDelayMs(n, policy, () => 1);
    expect([1, 2, 3, 4, 5].map(top)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(top(8)).toBe(3_600_000);
    expect(top(500)).toBe(3_600_000);
    expect(retryDelayMs(1, policy, () => 0)).toBe(24_000);
    expect(retryDelayMs(20, policy, () => 0)).toBe(2_880_000);
  });

  it('delivers on a 2xx, fails at once on a refused address, otherwise waits', () => {
    const delivery = { attempts: 1, created_at: '2026-01-01T00:00:00.000Z' };
    const now = new Date('2026-01-01T00:00:01.000Z');
    expect(nextState({ ok: true, permanent: false }, delivery, policy, now)).toEqual({
      status: 'delivered',
    });
    expect(nextState({ ok: false, permanent: true }, delivery, policy, now)).toEqual({
      status: 'failed',
    });
    expect(nextState({ ok: false, permanent: false }, delivery, policy, now, () => 1)).toEqual({
      status: 'pending',
      nextAttemptAt: new Date('2026-01-01T00:00:31.000Z'),
    });
  });

  it('keeps trying for the whole window, the last try at its very end, then gives up', () => {
    const created = Date.parse('2026-01-01T00:00:00.000Z');
    const delivery = { attempts: 1, created_at: new Date(created).toISOString() };
    const failed = { ok: false, permanent: false };
    let now = created;
    let tries = 0;
    for (;;) {
      tries += 1;
      const next = nextState(failed, { ...delivery, attempts: tries }, policy, new Date(now));
      if (next.status !== 'pending') break;
      expect(next.nextAttemptAt.getTime()).toBeGreaterThan(now);
      now = next.nextAttemptAt.getTime();
    }
    expect(now).toBe(created + policy.giveUpMs);
    // 30 s, 1 m, 2 m, ... 32 m, then hourly: about 30 tries in a day.
    expect(tries).toBeGreaterThan(20);
    expect(tries).toBeLessThan(40);
  });
});
