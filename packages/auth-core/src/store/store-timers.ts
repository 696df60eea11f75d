import type { TokenRecord } from './contract.ts';

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

/** Pause between looks at a known token that expired on the waiter's clock but is still stored. */
export const EXPIRY_RECHECK_MS = 250;

/**
 * Nothing announces an expiry, so a waiter that knows a token looks again when it expires: calls
 * `check` when `known` expires on `now`'s clock, then again `recheckMs` after each check settles,
 * until the returned function stops it (call it when the wait settles). Looking only once would
 * leave the wait hanging until its timeout where the store's clock lags the waiter's: the record
 * the waiter sees as expired is still stored. Does nothing when `known` is null. `check` reports its
 * own failures; a rejection here is ignored.
 */
export function watchExpiry(
  known: TokenRecord | null,
  now: () => number,
  check: () => Promise<void> | void,
  recheckMs: number = EXPIRY_RECHECK_MS,
): () => void {
  const firstDelay = expiryRecheckDelay(known, now());
  if (firstDelay === null) return () => {};
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const look = (): void => {
    void Promise.resolve()
      .then(check)
      .catch(() => {})
      .then(() => {
        if (!stopped) timer = setTimeout(look, recheckMs);
      });
  };
  timer = setTimeout(look, firstDelay);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
