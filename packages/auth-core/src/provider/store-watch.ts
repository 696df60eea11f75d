import { systemClock } from '../clock.ts';
import { reservationWindowMs } from '../quota/quota-reservation.ts';
import type { QuotaRecordState, QuotaUsage, TokenRecord } from '../store/contract.ts';
import type { JwtContext } from './jwt-context.ts';
import type { Clock } from './provider-types.ts';

/**
 * Guarantee 10, when a replica notices: compares a quota answer with what this replica remembers and,
 * if the store lost attempts it knew of, re-adds them (`restoreQuota`), writes its still-valid token
 * back when the store has none, and reports a `store-reset` event. Returns the answer to go on with
 * (the restored one after a loss) and whether there was a loss.
 */
export async function reconcileQuota(
  ctx: JwtContext,
  ns: string,
  usage: QuotaUsage,
  detectedBy: 'watch' | 'refresh',
): Promise<{ usage: QuotaUsage; lost: boolean }> {
  const windowMs = reservationWindowMs(ctx.options);
  const loss = ctx.quota.lossIn(usage, usage.now, windowMs);
  if (loss === null) {
    ctx.quota.remember(usage);
    return { usage, lost: false };
  }
  const known = ctx.quota.known(usage.now, windowMs);
  const restored = known.length > 0 ? await ctx.store.restoreQuota(ns, { windowMs, known }) : usage;
  ctx.quota.remember(restored);
  settleAfter(ctx);
  const tokenRestored = await writeBackToken(ctx, ns);
  ctx.emit({
    type: 'store-reset',
    ns,
    detectedBy,
    epochChanged: loss.epochChanged,
    missingEntries: loss.missing,
    quotaLost: isLost(restored, restored.now, windowMs),
    tokenRestored,
  });
  return { usage: restored, lost: true };
}

/**
 * After a loss this replica does not decide on the quota for one and a half store checks, in which
 * every live replica re-adds the attempts it remembers.
 */
function settleAfter(ctx: JwtContext): void {
  const until = ctx.options.clock.now() + ctx.options.storeCheckIntervalMs * 1.5;
  if (until > ctx.quota.unsettledUntil) ctx.quota.unsettledUntil = until;
}

/** Waits out a loss found by any path (store check, refresh, reservation). Returns whether it waited. */
export async function waitUntilSettled(ctx: JwtContext): Promise<boolean> {
  const left = ctx.quota.unsettledUntil - ctx.options.clock.now();
  if (!(left > 0)) return false;
  await idleSleep(ctx.options.clock, left, ctx.closeSignal);
  return true;
}

/**
 * Notes a reservation's answer. The reservation carried the remembered entries, so the store has
 * re-added them already; a changed epoch or a lost past is still reported once. Returns whether the
 * answer showed a loss.
 */
export function noteReservation(ctx: JwtContext, ns: string, decision: QuotaRecordState): boolean {
  const windowMs = reservationWindowMs(ctx.options);
  const storeNow = ctx.storeClock.now();
  const found = ctx.quota.lossIn(decision, storeNow, windowMs);
  ctx.quota.remember(decision);
  // The reservation re-added what we remember: an entry still missing can only be one that just aged
  // out on the store's exact clock while our estimate of it still counted it. Not a loss.
  const loss = found !== null && (found.epochChanged || found.lostThrough !== null) ? found : null;
  if (loss === null) return false;
  settleAfter(ctx);
  ctx.emit({
    type: 'store-reset',
    ns,
    detectedBy: 'reservation',
    epochChanged: loss.epochChanged,
    missingEntries: loss.missing,
    quotaLost: loss.lostThrough !== null,
    tokenRestored: false,
  });
  return true;
}

/** What a quota answer read through the store clock teaches the memory: only an answer that lost nothing is taken as is. */
export function learnQuota(ctx: JwtContext, usage: QuotaUsage): void {
  if (ctx.quota.lossIn(usage, usage.now, reservationWindowMs(ctx.options)) === null)
    ctx.quota.remember(usage);
}

/**
 * Checks the store every `storeCheckIntervalMs` (jittered) while the provider lives, off the hot
 * path: one `quotaUsage` call, plus the repairs of {@link reconcileQuota} after a loss. So a replica
 * serving from memory notices an emptied store within about one interval and restores it before a
 * replica started afterwards would issue. Its timers never keep the process alive.
 */
export function watchStore(ctx: JwtContext, ns: string): void {
  const { clock, storeCheckIntervalMs, random } = ctx.options;
  const loop = async (): Promise<void> => {
    while (!ctx.closeSignal.aborted) {
      await idleSleep(clock, storeCheckIntervalMs * (0.75 + 0.5 * random()), ctx.closeSignal);
      if (ctx.closeSignal.aborted) return;
      const windowMs = reservationWindowMs(ctx.options);
      // A failure is reported by the store guard as a store-error event; the next tick tries again.
      await ctx.storeClock
        .quotaUsage(ctx.store, ns, { windowMs })
        .then((usage) => reconcileQuota(ctx, ns, usage, 'watch'))
        .catch(() => {});
    }
  };
  void loop().catch(() => {});
}

/**
 * Writes the token this replica holds back to a store that has none, under a lease like any write,
 * so replicas started after the loss adopt it instead of issuing. Only a token that still works and
 * that the API did not reject. Never throws.
 */
async function writeBackToken(ctx: JwtContext, ns: string): Promise<boolean> {
  const held = ctx.tokens.held;
  if (held === null || !(ctx.options.clock.now() < held.expiresAt) || ctx.tokens.isRejected(held.value)) {
    return false;
  }
  try {
    if ((await ctx.store.readToken(ns)) !== null) return false;
    const lease = await ctx.store.acquireLease(ns, { ttlMs: ctx.options.leaseTtlMs });
    if (lease === null) return false;
    try {
      const offset = held.storeIssuedAt - held.issuedAt;
      const record: TokenRecord = {
        value: held.value,
        expiresAt: held.expiresAt + offset,
        issuedAt: held.storeIssuedAt,
        fence: lease.fence,
        // The fleet's 401 spacing travels with the token (guarantee 12): it was lost with the store too.
        ...(held.unauthorizedRefresh === null ? {} : { unauthorizedRefresh: held.unauthorizedRefresh }),
      };
      return await ctx.store.writeToken(ns, lease, record);
    } finally {
      await ctx.store.releaseLease(ns, lease).catch(() => {});
    }
  } catch {
    // Best effort: a store failure here is reported by the guard, and the next check tries again.
    return false;
  }
}

function isLost(state: QuotaRecordState, storeNow: number, windowMs: number): boolean {
  return (
    state.lostThrough !== null && state.lostThrough !== undefined && state.lostThrough > storeNow - windowMs
  );
}

/**
 * `clock.sleep`, except that on the real clock the timer does not keep the process alive (a provider
 * nobody closed must not stop its process from exiting). Rejects when `signal` aborts.
 */
export function idleSleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (clock !== systemClock) return clock.sleep(ms, signal).catch(() => {});
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    timer.unref?.();
    function done(): void {
      signal.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
