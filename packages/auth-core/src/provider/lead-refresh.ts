import { type BlockCode, ConnexeaseAuthError, isConnexeaseAuthError } from '../errors.ts';
import type { IssuedToken } from '../issuer/issuer.ts';
import { reservationWindowMs, reserveAttempt } from '../quota/quota-reservation.ts';
import type { Lease, TokenRecord } from '../store/contract.ts';
import { computeTokenTimes } from '../token/expiry.ts';
import { formatAuthorization } from '../token/schemes.ts';
import { retryDelayAfter } from './backoff.ts';
import { isBlockCode } from './block-gate.ts';
import { fleetBackoff, fleetBackoffDelay } from './fleet-backoff.ts';
import type { HeldToken, TokenNeed } from './held-token.ts';
import { attemptIssue } from './issue-attempt.ts';
import type { JwtContext } from './jwt-context.ts';
import { keepLeaseAlive, type LeaseKeeper } from './lease-keeper.ts';
import { reconcileQuota, waitUntilSettled } from './store-watch.ts';
import { spacingForIssue } from './unauthorized-spacing.ts';

/** What the leader is refreshing for. */
export interface LeadRequest {
  ns: string;
  lease: Lease;
  need: TokenNeed;
  background: boolean;
}

/**
 * The leader's part of a refresh (guarantee 2), run while holding the lease and keeping it alive:
 * re-read the store (another replica may have just written), re-check the block, apply the fleet
 * backoff, then the attempt loop. The lease is released however this ends.
 *
 * Resolves `null` when the lease turned out lost before a token was in hand (guarantee 11: the
 * store refused a reservation, or the keeper found another owner): nothing more was sent, and the
 * caller goes back to waiting for the current leader's token.
 */
export async function leadRefresh(ctx: JwtContext, request: LeadRequest): Promise<HeldToken | null> {
  const { ns, need, background } = request;
  const { clock, leaseTtlMs } = ctx.options;
  const keeper = keepLeaseAlive({
    store: ctx.store,
    ns,
    lease: request.lease,
    ttlMs: leaseTtlMs,
    clock,
    signal: ctx.closeSignal,
  });
  try {
    const stored = await ctx.store.readToken(ns);
    const found = ctx.tokens.suitable(stored, need, clock.now());
    if (found !== null) return adopt(ctx, ns, found, background);
    await ctx.blocks.check(ns);
    const attempts = await fleetAttempts(ctx, ns, stored);
    return await issueLoop(ctx, ns, keeper, attempts, need, background);
  } finally {
    keeper.stop();
    ctx.phase.enter('idle');
    await ctx.store.releaseLease(ns, keeper.lease).catch(() => {});
  }
}

/** Serves a token another replica stored; reports it. */
export function adopt(ctx: JwtContext, ns: string, token: HeldToken, background: boolean): HeldToken {
  if (ctx.tokens.holds(token)) {
    // The same token, its local times converted with the newest estimate of the store's clock.
    ctx.tokens.held = token;
    return token;
  }
  const previous = ctx.tokens.hold(token);
  ctx.emit({ type: 'reused-from-store', ns, expiresAt: token.expiresAt, refreshAt: token.refreshAt });
  if (previous !== null)
    ctx.emit({ type: 'refreshed', ns, expiresAt: token.expiresAt, refreshAt: token.refreshAt, background });
  return token;
}

/**
 * Applies the fleet-wide outage backoff (see fleet-backoff.ts) and answers how many attempts this
 * refresh may make. A short remaining pause (at most half a lease TTL) is waited out holding the lease;
 * a longer one fails fast with `TOKEN_ENDPOINT_UNAVAILABLE` and `retryAt`, cached locally.
 */
async function fleetAttempts(
  ctx: JwtContext,
  ns: string,
  stored: TokenRecord | null,
): Promise<{ attempts: number; unanswered: number }> {
  const { clock, leaseTtlMs, quota, retry } = ctx.options;
  const { storeClock } = ctx;
  const windowMs = reservationWindowMs(ctx.options);
  const read = await storeClock.quotaUsage(ctx.store, ns, { windowMs });
  // A store that lost attempts this replica knows of gets them back before anything is decided, and
  // the other live replicas get a store check's time to put back theirs.
  let { usage } = await reconcileQuota(ctx, ns, read, 'refresh');
  if (await waitUntilSettled(ctx)) {
    usage = (
      await reconcileQuota(ctx, ns, await storeClock.quotaUsage(ctx.store, ns, { windowMs }), 'refresh')
    ).usage;
  }
  // Reservations and token records are on the store's clock; this replica's own answers (a block it
  // saw, an unblock) on its local clock, shifted onto the store's.
  const answeredAt = Math.max(
    stored?.issuedAt ?? Number.NEGATIVE_INFINITY,
    ctx.tokens.knownIssuedAt,
    storeClock.toStore(ctx.blocks.lastAnswerAt),
    storeClock.toStore(ctx.unblockedAt()),
  );
  const verdict = fleetBackoff(
    { reservedAt: usage.reservedAt, answeredAt },
    { leaseTtlMs, quota, attempts: retry.attempts },
  );
  if (verdict.notBefore !== null) {
    const notBefore = storeClock.toLocal(verdict.notBefore);
    const pause = notBefore - clock.now();
    if (pause > 0) {
      if (pause > leaseTtlMs / 2) {
        const error = new ConnexeaseAuthError(
          'TOKEN_ENDPOINT_UNAVAILABLE',
          `${verdict.unanswered} recent POST /jwt/ attempt(s) in the fleet got no token (an outage, or a ` +
            `replica that died mid-request); to save the quota no replica tries again before ` +
            `${new Date(notBefore).toISOString()}`,
          { retryAt: notBefore, retryable: true },
        );
        ctx.gate.close(error);
        throw error;
      }
      await clock.sleep(pause, ctx.closeSignal);
    }
  }
  return { attempts: verdict.attempts, unanswered: verdict.unanswered };
}

/**
 * Guarantee 4: up to `attempts` `POST /jwt/` attempts, each after a granted reservation. Retryable
 * failures (5XX, network, timeout) back off with capped exponential full jitter; a 4XX is never
 * retried, and 401/403 write the fleet-wide block first.
 *
 * Guarantee 11: each attempt is sent only by the current lease holder. The reservation before it is
 * refused by the store unless our lease id and fence are current, and the keeper's last word is
 * checked once more just before sending; a retry first re-reads the store, since another replica may
 * have issued while we backed off. A lost lease ends the loop with `null`.
 */
async function issueLoop(
  ctx: JwtContext,
  ns: string,
  keeper: LeaseKeeper,
  plan: { attempts: number; unanswered: number },
  need: TokenNeed,
  background: boolean,
): Promise<HeldToken | null> {
  const { clock, retry, random } = ctx.options;
  let lastError: ConnexeaseAuthError | undefined;
  for (let attempt = 1; attempt <= plan.attempts; attempt += 1) {
    ctx.phase.enter('issuing');
    if (attempt > 1) {
      const theirs = ctx.tokens.suitable(await ctx.store.readToken(ns), need, clock.now());
      if (theirs !== null) return adopt(ctx, ns, theirs, background);
    }
    if (!keeper.held || !(await reserveAttempt(ctx, ns, keeper.lease)) || !keeper.held) {
      return leaseLost(ctx, ns);
    }
    let token: HeldToken;
    try {
      token = await issueOnce(ctx, ns, keeper, attempt);
    } catch (caught) {
      lastError = await failedAttempt(ctx, ns, caught as ConnexeaseAuthError, attempt);
      if (attempt < plan.attempts) {
        const now = clock.now();
        await clock.sleep(retryDelayAfter(attempt, retry, random, now, lastError.retryAt), ctx.closeSignal);
      }
      continue;
    }
    return await publish(ctx, ns, keeper, token, attempt, need, background);
  }
  throw fleetUnavailable(ctx, plan, lastError);
}

/** One `POST /jwt/`, its answer accepted under the lease's fence as it stands when the answer arrives. */
async function issueOnce(
  ctx: JwtContext,
  ns: string,
  keeper: LeaseKeeper,
  attempt: number,
): Promise<HeldToken> {
  const { clock, issueTimeoutMs } = ctx.options;
  const issued = await attemptIssue({
    issuer: ctx.issuer,
    credentials: ctx.credentials,
    clock,
    timeoutMs: issueTimeoutMs,
    signal: ctx.closeSignal,
    trace: { ns, attempt },
  });
  return acceptIssued(ctx, issued, keeper.lease.fence);
}

/** Reports a failed attempt and hands back its error when it may be retried; throws it otherwise. */
async function failedAttempt(
  ctx: JwtContext,
  ns: string,
  error: ConnexeaseAuthError,
  attempt: number,
): Promise<ConnexeaseAuthError> {
  if (error.code === 'ABORTED') throw error;
  ctx.emit({
    type: 'issue-failed',
    ns,
    code: error.code,
    ...(error.status === undefined ? {} : { status: error.status }),
    attempt,
    retryable: error.retryable,
  });
  if (isBlockCode(error.code)) {
    await ctx.blocks.record(ns, error as ConnexeaseAuthError & { code: BlockCode });
    throw error;
  }
  if (!error.retryable) throw error;
  return error;
}

/** Every attempt failed: the fleet pauses (the gate closes) and the caller gets when it may try again. */
function fleetUnavailable(
  ctx: JwtContext,
  plan: { attempts: number; unanswered: number },
  lastError: ConnexeaseAuthError | undefined,
): ConnexeaseAuthError {
  const made = plan.attempts;
  const retryAt = ctx.options.clock.now() + fleetBackoffDelay(plan.unanswered + made, ctx.options);
  const error = new ConnexeaseAuthError(
    'TOKEN_ENDPOINT_UNAVAILABLE',
    `POST /jwt/ failed ${made} time(s) in a row (last: ${lastError?.code ?? 'unknown'}); to save the quota ` +
      `no replica tries again before ${new Date(retryAt).toISOString()}`,
    {
      cause: lastError,
      retryAt,
      retryable: true,
      ...(lastError?.status === undefined ? {} : { status: lastError.status }),
    },
  );
  ctx.gate.close(error);
  return error;
}

/** Reports that this replica stopped leading before it had a token: it sends nothing more. */
function leaseLost(ctx: JwtContext, ns: string): null {
  ctx.emit({
    type: 'warning',
    ns,
    message:
      'the token lease passed to another replica before this one got a token; it sends no more POST /jwt/ and waits for theirs',
  });
  return null;
}

/**
 * Checks a fresh token before anything stores or serves it: a header-safe value (else
 * `INVALID_RESPONSE`), times from its `exp` and the response's `Date`, and not already due. A token that
 * is due the moment it arrives is `INVALID_RESPONSE`, never a reason to issue again (guarantee 3).
 */
function acceptIssued(ctx: JwtContext, issued: IssuedToken, fence: number): HeldToken {
  const authorization = formatAuthorization('jwt', issued.token);
  const times = computeTokenTimes({
    token: issued.token,
    receivedAt: issued.receivedAt,
    refreshBeforeExpiryMs: ctx.options.refreshBeforeExpiryMs,
    ...(issued.serverDate === undefined ? {} : { serverDate: issued.serverDate }),
  });
  if (!(ctx.options.clock.now() < times.refreshAt)) {
    throw new ConnexeaseAuthError(
      'INVALID_RESPONSE',
      `POST /jwt/ returned a token that is already due for refresh (expires ${new Date(times.expiresAt).toISOString()}); ` +
        'check the clocks of this host and the API. Not issuing again',
    );
  }
  const storeIssuedAt = ctx.storeClock.toStore(times.issuedAt);
  return {
    value: issued.token,
    authorization,
    ...times,
    storeIssuedAt,
    fence,
    unauthorizedRefresh: spacingForIssue(ctx, storeIssuedAt),
  };
}

/**
 * Stores the new token fenced by our lease and serves it. If the store refuses (a newer leader wrote
 * since) or fails, the store's token is preferred when usable; otherwise ours is served from memory.
 */
async function publish(
  ctx: JwtContext,
  ns: string,
  keeper: LeaseKeeper,
  token: HeldToken,
  attempt: number,
  need: TokenNeed,
  background: boolean,
): Promise<HeldToken> {
  // On the store's clock, which every replica can read back onto its own (see store-clock.ts).
  const record: TokenRecord = {
    value: token.value,
    expiresAt: token.expiresAt + (token.storeIssuedAt - token.issuedAt),
    issuedAt: token.storeIssuedAt,
    fence: keeper.lease.fence,
    ...(token.unauthorizedRefresh === null ? {} : { unauthorizedRefresh: token.unauthorizedRefresh }),
  };
  ctx.emit({
    type: 'issued',
    ns,
    expiresAt: token.expiresAt,
    refreshAt: token.refreshAt,
    attempt,
    fence: record.fence,
  });
  ctx.tokens.noteIssuedAt(token.storeIssuedAt);
  let written = false;
  try {
    written = await ctx.store.writeToken(ns, keeper.lease, record);
  } catch (error) {
    if (isConnexeaseAuthError(error, 'ABORTED')) throw error;
  }
  if (!written) {
    try {
      const theirs = ctx.tokens.suitable(await ctx.store.readToken(ns), need, ctx.options.clock.now());
      if (theirs !== null && theirs.value !== token.value) return adopt(ctx, ns, theirs, background);
    } catch (error) {
      if (isConnexeaseAuthError(error, 'ABORTED')) throw error;
    }
    ctx.emit({
      type: 'warning',
      ns,
      message: 'the new JWT could not be stored; it is served from memory only',
    });
  }
  const previous = ctx.tokens.hold(token);
  if (previous !== null)
    ctx.emit({ type: 'refreshed', ns, expiresAt: token.expiresAt, refreshAt: token.refreshAt, background });
  return token;
}
