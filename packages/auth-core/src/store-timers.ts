import type { TokenRecord } from './store.ts';

/** `setTimeout`'s largest delay (2^31 − 1 ms); a longer one fires at once, so every store clamps to it. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * How long a waiter that knows `known` should sleep before it looks again because that token expires
 * (nothing announces an expiry), or `null` when it knows no token. `now` is the clock the record's
 * times are on, as the caller sees it; a store whose clock may run behind the caller's should keep
 * looking after the first check (an expired record that is still stored does not end the wait).
 */
export function expiryRecheckDelay(known: TokenRecord | null, now: number): number | null {
  if (known === null) return null;
  return Math.min(MAX_TIMER_MS, Math.max(1, known.expiresAt - now + 1));
}
