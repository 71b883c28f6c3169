// When a delivery is tried again: capped exponential backoff with jitter, until the give-up
// window since the event closes; the last try lands exactly at the window's end.

export interface DeliveryPolicy {
  /** Delay before the first retry (TASKWIRE_WEBHOOK_RETRY_BASE_MS). */
  retryBaseMs: number;
  /** Longest delay between two tries (TASKWIRE_WEBHOOK_RETRY_CAP_MS). */
  retryCapMs: number;
  /** How long after the event the delivery is given up (TASKWIRE_WEBHOOK_GIVE_UP_MS). */
  giveUpMs: number;
}

/** Delay after failed try number `attempt` (1-based): base·2^(n−1), capped, minus ≤20% jitter. */
export function retryDelayMs(
  attempt: number,
  policy: Pick<DeliveryPolicy, 'retryBaseMs' | 'retryCapMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 40);
  const delay = Math.min(policy.retryCapMs, policy.retryBaseMs * 2 ** exponent);
  // Jitter spreads receivers' recoveries; it only shortens, so the cap holds.
  return Math.round(delay * (0.8 + 0.2 * random()));
}

export type NextState =
  { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date };

/** What a try's outcome means for its delivery. */
export function nextState(
  outcome: { ok: boolean; permanent: boolean },
  delivery: { attempts: number; created_at: string },
  policy: DeliveryPolicy,
  now: Date,
  random: () => number = Math.random,
): NextState {
  if (outcome.ok) return { status: 'delivered' };
  if (outcome.permanent) return { status: 'failed' };
  const giveUpAt = new Date(delivery.created_at).getTime() + policy.giveUpMs;
  if (now.getTime() >= giveUpAt) return { status: 'failed' };
  const next = now.getTime() + retryDelayMs(delivery.attempts, policy, random);
  return { status: 'pending', nextAttemptAt: new Date(Math.min(next, giveUpAt)) };
}
