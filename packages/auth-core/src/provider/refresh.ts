import { formatDuration } from '../duration.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import { reservationWindowMs } from '../quota/quota-reservation.ts';
import type { TokenRecord } from '../store/contract.ts';
import type { HeldToken, TokenNeed } from './held-token.ts';
import type { JwtContext } from './jwt-context.ts';
import { adopt, leadRefresh } from './lead-refresh.ts';

/**
 * One refresh, as run inside the provider's single flight (guarantee 2):
 *
 * 1. fail fast without I/O while the quota is known to be spent or the fleet is backing off;
 * 2. adopt the store's token when it meets `need` (`'reused-from-store'`), whatever block exists: blocks
 *    stop issuing, never the adoption of a token that works (guarantee 12);
 * 3. fail fast with `BLOCKED` when a block applies (memory first, then the store);
 * 4. take the lease and lead ({@link leadRefresh}); or, when another replica holds it, wait for its
 *    token (`waitForToken`, in slices of at most `pollIntervalMs`) and start again at 2. Losers never
 *    issue while a live lease exists; when a dead leader's lease lapses, one waiter takes it over.
 *
 * Waiting is bounded by `waitTimeoutMs` (then `TIMEOUT`); a background refresh needs a token that is
 * not due (`'fresh'`), a caller without a token any token that still works (`'usable'`).
 */
export async function refreshToken(ctx: JwtContext, background: boolean): Promise<HeldToken> {
  const { clock, leaseTtlMs, pollIntervalMs, waitTimeoutMs } = ctx.options;
  const need: TokenNeed = background ? 'fresh' : 'usable';
  ctx.gate.check(clock.now());
  const ns = await ctx.namespace();
  const deadline = clock.now() + waitTimeoutMs;
  let waitingSince: number | null = null;
  const reportWait = (outcome: 'token' | 'timeout' | 'lease-acquired'): void => {
    if (waitingSince === null) return;
    ctx.emit({ type: 'waited', ns, waitedMs: Math.max(0, clock.now() - waitingSince), outcome });
  };

  try {
    for (;;) {
      const { stored, blocked } = await readTokenBesideBlock(ctx, ns);
      const found = ctx.tokens.suitable(stored, need, clock.now());
      if (found !== null) {
        reportWait('token');
        return adopt(ctx, ns, found, background);
      }
      const block = await blocked;
      if (block !== null) throw block;
      ctx.gate.check(clock.now());
      const lease = await ctx.store.acquireLease(ns, { ttlMs: leaseTtlMs });
      if (lease !== null) {
        reportWait('lease-acquired');
        ctx.phase.enter('idle');
        const led = await leadRefresh(ctx, { ns, lease, need, background });
        if (led !== null) return led;
        // The lease passed to another replica mid-refresh (guarantee 11): wait for its token instead.
        continue;
      }

      ctx.phase.enter('waiting');
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        reportWait('timeout');
        throw waitTimeout(waitTimeoutMs);
      }
      waitingSince ??= clock.now();
      const record = await ctx.store.waitForToken(ns, {
        known: stored,
        timeoutMs: Math.min(remaining, pollIntervalMs),
        signal: ctx.closeSignal,
      });
      const arrived = ctx.tokens.suitable(record, need, clock.now());
      if (arrived !== null) {
        reportWait('token');
        return adopt(ctx, ns, arrived, background);
      }
    }
  } finally {
    ctx.phase.enter('idle');
  }
}

/**
 * The block is read beside the token, not between the token read and the lease request (a longer gap
 * lets a slow replica win the lease just after the leader released it); its verdict (the error to
 * throw, or `null`) only matters when there is no token to adopt.
 */
async function readTokenBesideBlock(
  ctx: JwtContext,
  ns: string,
): Promise<{ stored: TokenRecord | null; blocked: Promise<unknown> }> {
  const blocked = ctx.blocks.check(ns).then(
    () => null,
    (error: unknown) => error,
  );
  // A stored record's times are on the store's clock: learn it (once per process) before judging one.
  const [stored] = await Promise.all([
    ctx.store.readToken(ns),
    ctx.storeClock.ensure(ctx.store, ns, { windowMs: reservationWindowMs(ctx.options) }),
  ]);
  return { stored, blocked };
}

function waitTimeout(waitTimeoutMs: number): ConnexeaseAuthError {
  return new ConnexeaseAuthError(
    'TIMEOUT',
    `no JWT after waiting ${formatDuration(waitTimeoutMs)} (waitTimeoutMs): another replica holds the token lease and ` +
      'has not published a token. If it died, its lease lapses within leaseTtlMs and a waiting replica takes over',
    { retryable: true },
  );
}
