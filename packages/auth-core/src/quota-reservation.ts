import { ConnexeaseAuthError, isConnexeaseAuthError } from './errors.ts';
import type { JwtContext } from './jwt-context.ts';
import type { Lease, QuotaDecision } from './store.ts';

/** Used when a store denies a reservation without saying when to retry (the contract says it should). */
const FALLBACK_RETRY_MS = 60_000;

/**
 * Guarantee 1: reserves one slot in the fleet's sliding window before a `POST /jwt/` attempt.
 *
 * Each attempt gets a fresh random id. If the reserve call itself fails, its outcome is unknown (the
 * slot may have been taken), so it is asked once more with the same id: the store counts an id once.
 * Resolves only with a granted decision; otherwise fails with `QUOTA_EXHAUSTED` (nothing is sent, and
 * the provider fails fast without I/O until `retryAt`) or `STORE_UNAVAILABLE` (fail closed).
 */
export async function reserveAttempt(ctx: JwtContext, ns: string, lease: Lease): Promise<QuotaDecision> {
  const { limit } = ctx.options.quota;
  const windowMs = reservationWindowMs(ctx.options);
  const request = { id: crypto.randomUUID(), limit, windowMs, lease };
  let decision: QuotaDecision;
  try {
    decision = await ctx.store.reserveIssue(ns, request);
  } catch (error) {
    if (isConnexeaseAuthError(error, 'ABORTED')) throw error;
    decision = await ctx.store.reserveIssue(ns, request);
  }
  if (!decision.granted) {
    const now = ctx.options.clock.now();
    const retryAt = decision.retryAt ?? now + FALLBACK_RETRY_MS;
    ctx.emit({ type: 'quota-exhausted', ns, used: decision.used, limit, retryAt });
    const error = new ConnexeaseAuthError(
      'QUOTA_EXHAUSTED',
      `the JWT issue quota is spent (${decision.used} of ${limit} in ${describeWindow(windowMs)}); nothing was ` +
        `sent. The next issue is possible at ${new Date(retryAt).toISOString()}`,
      { retryAt },
    );
    ctx.gate.close(error);
    throw error;
  }
  const remaining = Math.max(0, limit - decision.used);
  if (remaining <= limit * ctx.options.quotaLowRatio) {
    ctx.emit({ type: 'quota-low', ns, used: decision.used, limit, remaining });
  }
  return decision;
}

function describeWindow(windowMs: number): string {
  const hours = windowMs / 3_600_000;
  return Number.isInteger(hours) ? `${hours} h` : `${windowMs} ms`;
}

/**
 * The window the fleet's reservations are counted in: the quota's window plus `issueTimeoutMs`.
 *
 * A reservation is stamped (on the store's clock) before `POST /jwt/` is sent; the API counts the issue
 * when it processes the request, up to `issueTimeoutMs` later. Counting reservations over the wider
 * window keeps every API window of `windowMs` at or under the limit, however late within an attempt
 * the server handled it. (A request the server handles after the client gave up is outside any
 * client's control; the default limit of 25 leaves room for that too.)
 */
export function reservationWindowMs(options: {
  quota: { windowMs: number };
  issueTimeoutMs: number;
}): number {
  return options.quota.windowMs + options.issueTimeoutMs;
}
