import { formatDuration, formatWindow } from '../duration.ts';
import { ConnexeaseAuthError, isConnexeaseAuthError } from '../errors.ts';
import type { JwtContext } from '../provider/jwt-context.ts';
import { noteReservation, waitUntilSettled } from '../provider/store-watch.ts';
import type { Lease, QuotaDecision } from '../store/contract.ts';
import { quotaSummary } from './quota.ts';

/** Used when a store denies a reservation without saying when to retry (the contract says it should). */
const FALLBACK_RETRY_MS = 60_000;

/**
 * Guarantees 1, 10 and 11: reserves one slot in the fleet's sliding window before a `POST /jwt/`
 * attempt, as the holder of `lease`, sending the entries this replica remembers so that a store that
 * lost them counts them again.
 *
 * Each attempt gets a fresh random id. If the reserve call itself fails, its outcome is unknown (the
 * slot may have been taken), so it is asked once more with the same id: the store counts an id once.
 * Resolves `true` when granted and `false` when the store refused `lease` (another replica leads now:
 * nothing may be sent); otherwise fails with `QUOTA_EXHAUSTED` (nothing is sent, and the provider
 * fails fast without I/O until `retryAt`) or `STORE_UNAVAILABLE` (fail closed).
 */
export async function reserveAttempt(ctx: JwtContext, ns: string, lease: Lease): Promise<boolean> {
  const { limit } = ctx.options.quota;
  const windowMs = reservationWindowMs(ctx.options);
  const known = ctx.quota.known(ctx.storeClock.now(), windowMs);
  const request = { id: crypto.randomUUID(), limit, windowMs, lease, known };
  let decision: QuotaDecision;
  try {
    decision = await ctx.store.reserveIssue(ns, request);
  } catch (error) {
    if (isConnexeaseAuthError(error, 'ABORTED')) throw error;
    decision = await ctx.store.reserveIssue(ns, request);
  }
  if (decision.denied === 'lease') return false;
  const lost = noteReservation(ctx, ns, decision);
  if (!decision.granted) throw exhausted(ctx, ns, decision);
  if (lost) await settleAfterLoss(ctx, ns, windowMs);
  const remaining = Math.max(0, limit - decision.used);
  ctx.emit({ type: 'quota-reserved', ns, used: decision.used, limit, remaining });
  if (remaining <= limit * ctx.options.quotaLowRatio) {
    ctx.emit({ type: 'quota-low', ns, used: decision.used, limit, remaining });
  }
  return true;
}

/**
 * A grant made on a record the store had just lost counted only what this replica remembered. Other
 * live replicas remember attempts too and re-add them at their next store check: wait for that (one
 * and a half check intervals), then send only if the window, with everything re-added, still leaves
 * room for this attempt. The reservation itself stays counted either way.
 */
async function settleAfterLoss(ctx: JwtContext, ns: string, windowMs: number): Promise<void> {
  const { quota } = ctx.options;
  await waitUntilSettled(ctx);
  const usage = await ctx.storeClock.quotaUsage(ctx.store, ns, { windowMs });
  const summary = quotaSummary(usage.reservedAt, usage.now, { limit: quota.limit, windowMs });
  const lost = usage.lostThrough !== null && usage.lostThrough > usage.now - windowMs;
  if (summary.used <= quota.limit && !lost) return;
  const retryAt = lost ? usage.lostThrough! + windowMs : (summary.retryAt ?? usage.now + FALLBACK_RETRY_MS);
  const decision: QuotaDecision = {
    granted: false,
    denied: lost ? 'lost' : 'quota',
    used: summary.used,
    limit: quota.limit,
    retryAt,
    entries: usage.entries,
    epoch: usage.epoch,
    lostThrough: usage.lostThrough,
  };
  throw exhausted(ctx, ns, decision);
}

/** The `QUOTA_EXHAUSTED` error for a denied reservation; closes the local gate until `retryAt`. */
function exhausted(ctx: JwtContext, ns: string, decision: QuotaDecision): ConnexeaseAuthError {
  const { limit } = ctx.options.quota;
  const now = ctx.options.clock.now();
  // The store answers on its own clock; the gate and the message use this replica's.
  const retryAt =
    decision.retryAt === undefined ? now + FALLBACK_RETRY_MS : ctx.storeClock.toLocal(decision.retryAt);
  ctx.emit({ type: 'quota-exhausted', ns, used: decision.used, limit, retryAt });
  const next = `The next issue is possible in ${formatDuration(retryAt - now)} (${new Date(retryAt).toISOString()})`;
  const error =
    decision.denied === 'lost'
      ? new ConnexeaseAuthError(
          'QUOTA_EXHAUSTED',
          `the token store lost its record of recent POST /jwt/ attempts and no running replica remembers ` +
            `them, so the quota counts as spent for ${formatWindow(ctx.options.quota.windowMs)} after the last one; nothing ` +
            `was sent. ${next}. If you know that no attempt was made, run \`connexease-auth forget-loss\``,
          { retryAt },
        )
      : new ConnexeaseAuthError(
          'QUOTA_EXHAUSTED',
          `the JWT issue quota is spent (${decision.used} of ${limit} in ${formatWindow(ctx.options.quota.windowMs)}); ` +
            `nothing was sent. ${next}`,
          { retryAt },
        );
  ctx.gate.close(error);
  return error;
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
