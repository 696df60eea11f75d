/**
 * The fleet-wide backoff in a token-endpoint outage.
 *
 * Without it, a leader that exhausts its retries releases the lease, the next replica takes it and
 * spends its own retries, and so on: 8 replicas × 3 attempts burn 24 of the 25 daily issues in a
 * minute, and nothing is left when the endpoint comes back.
 *
 * The shared signal is the quota itself. Every `POST /jwt/` attempt reserves a slot first, and the
 * store keeps each reservation's time (store clock) for the whole window. A reservation made after the
 * newest known token was issued never produced a token that reached the store: it failed, or it is
 * still in flight, or its replica died mid-request. Call those the *unanswered* attempts. The rule:
 *
 * - With `n` unanswered attempts, the last one at `last`, nobody issues before
 *   `last + min(cap, leaseTtlMs × 2^(n - 1))`, where `cap = max(leaseTtlMs, 2 × windowMs / limit)`;
 *   once `n` reaches half the limit, the pause is the cap outright.
 *   After one unknown attempt (a leader killed mid-request) that is one lease TTL: about when its
 *   lease lapses anyway, so a dead leader is still taken over promptly. In a long outage the pause
 *   doubles per attempt up to the cap, so once the ramp is over a sustained outage spends about half
 *   the quota per window, and the rest is there when the endpoint recovers. With the defaults (25 per
 *   24 h, 30 s lease, 3 attempts) the worst first day of an outage costs about 20 attempts; the quota
 *   itself stays the hard limit.
 * - When that time has come, the leader makes `max(1, retry.attempts - n)` attempts: the fleet's
 *   retries for this refresh were already spent, so it probes once.
 *
 * Reservations within {@link ANSWER_SLACK_MS} after the newest token's `issuedAt` count as answered.
 * Both are on the store's clock, but the token's `issuedAt` is its issuer's estimate of that clock
 * (off by up to half a store round trip, see store-clock.ts), and that small error must not turn a
 * successful attempt into an unanswered one.
 */
export const ANSWER_SLACK_MS = 2000;

/** The fleet's recent attempts as the store reports them. */
export interface FleetHistory {
  /** Reservation times in the quota window (store clock). */
  reservedAt: readonly number[];
  /** The newest time (store clock) by which an attempt is known to have been answered, or -Infinity. */
  answeredAt: number;
}

/** Settings the rule depends on. */
export interface FleetBackoffOptions {
  leaseTtlMs: number;
  quota: { limit: number; windowMs: number };
  /** `retry.attempts`: attempts per refresh, first included. */
  attempts: number;
}

/** What the rule allows now. */
export interface FleetVerdict {
  /** Attempts made after the newest known token, none of which produced a stored token. */
  unanswered: number;
  /** Store-clock time before which no replica should issue; `null` when nothing is unanswered. */
  notBefore: number | null;
  /** How many attempts this refresh may make once `notBefore` has passed. */
  attempts: number;
}

/** Applies the rule described in this module to the fleet's history. */
export function fleetBackoff(history: FleetHistory, options: FleetBackoffOptions): FleetVerdict {
  const threshold = history.answeredAt + ANSWER_SLACK_MS;
  let unanswered = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const time of history.reservedAt) {
    if (time > threshold) {
      unanswered += 1;
      if (time > last) last = time;
    }
  }
  if (unanswered === 0) return { unanswered, notBefore: null, attempts: options.attempts };
  return {
    unanswered,
    notBefore: last + fleetBackoffDelay(unanswered, options),
    attempts: Math.max(1, options.attempts - unanswered),
  };
}

/**
 * The pause after `unanswered` attempts: `min(cap, leaseTtlMs × 2^(unanswered - 1))`, and the cap
 * itself once half the limit is unanswered.
 */
export function fleetBackoffDelay(
  unanswered: number,
  options: Omit<FleetBackoffOptions, 'attempts'>,
): number {
  const cap = Math.max(options.leaseTtlMs, Math.floor((2 * options.quota.windowMs) / options.quota.limit));
  if (unanswered >= Math.ceil(options.quota.limit / 2)) return cap;
  const exponent = Math.max(0, Math.min(unanswered - 1, 40));
  return Math.min(cap, options.leaseTtlMs * 2 ** exponent);
}
