import { abortedError } from '../abort.ts';
import type { ResolvedProviderOptions } from '../config.ts';
import type { PasswordCredentials } from '../credentials.ts';
import type { WaitTraceContext } from '../diagnostics/diagnostics.ts';
import { EventHub } from '../diagnostics/event-hub.ts';
import type { AuthEventListener } from '../diagnostics/events.ts';
import { ConnexeaseAuthError, isConnexeaseAuthError } from '../errors.ts';
import { quotaSummary } from '../quota/quota.ts';
import { QuotaMemory } from '../quota/quota-memory.ts';
import { reservationWindowMs } from '../quota/quota-reservation.ts';
import { credentialFingerprint, namespaceFor } from '../secrets.ts';
import { StoreClock } from '../store/store-clock.ts';
import { guardStore } from '../store/store-guard.ts';
import { parseAuthorization } from '../token/schemes.ts';
import { BlockGate } from './block-gate.ts';
import { waitAsCaller } from './caller-wait.ts';
import { type HeldToken, TokenCache } from './held-token.ts';
import type { JwtContext } from './jwt-context.ts';
import type { AuthStatus, RequestOptions, TokenProvider, UnauthorizedOptions } from './provider-types.ts';
import { refreshToken } from './refresh.ts';
import { RetryGate } from './retry-gate.ts';
import { SingleFlight } from './single-flight.ts';
import { learnQuota, watchStore } from './store-watch.ts';
import { recoverFromUnauthorized, refusedOnRetryError } from './unauthorized.ts';

/** First pause before another background refresh after one failed; doubles per failure. */
const BACKGROUND_RETRY_BASE_MS = 1000;
/** Longest pause between background refresh tries (the token still serves meanwhile). */
const BACKGROUND_RETRY_MAX_MS = 5 * 60_000;

/** The JWT provider plus what `createTokenProvider` needs to describe it safely. */
export interface JwtTokenProvider extends TokenProvider {
  /** The namespace once computed, for display. */
  readonly knownNamespace: string | null;
}

/**
 * The `{ username, password }` provider: serves a JWT from memory while it is not due, refreshes it
 * in the background when it is, and otherwise runs one refresh per process (single flight) that
 * coordinates with the fleet through the store. See refresh.ts and lead-refresh.ts for the algorithm.
 */
export function createJwtProvider(options: ResolvedProviderOptions): JwtTokenProvider {
  const { clock, issuer, store, waitTimeoutMs } = options;
  if (issuer === undefined || store === undefined) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      'issuer and store are required with { username, password }',
    );
  }
  const credentials = options.credentials as PasswordCredentials;
  const events = new EventHub();
  if (options.onEvent !== undefined) events.on(options.onEvent);
  const emit = events.emit.bind(events);
  const closing = new AbortController();
  const guarded = guardStore({ store, emit, signal: closing.signal });

  let namespaceValue: string | null = null;
  let namespacePromise: Promise<string> | null = null;
  const namespace = (): Promise<string> => {
    namespacePromise ??= namespaceFor({
      baseUrl: options.baseUrl,
      username: credentials.username,
      mode: 'jwt',
    }).then(
      (ns) => {
        namespaceValue = ns;
        return ns;
      },
      (error: unknown) => {
        namespacePromise = null;
        throw error;
      },
    );
    return namespacePromise;
  };
  let fingerprintPromise: Promise<string> | null = null;
  const fingerprint = (): Promise<string> => {
    fingerprintPromise ??= namespace()
      .then((ns) => credentialFingerprint(credentials, ns))
      .catch((error: unknown) => {
        fingerprintPromise = null;
        throw error;
      });
    return fingerprintPromise;
  };

  // Every quota answer read through the store clock teaches this replica the fleet's quota record.
  const storeClock = new StoreClock(clock, (_ns, usage) => learnQuota(ctx, usage));
  const tokens = new TokenCache(options.refreshBeforeExpiryMs, storeClock);
  const ctx: JwtContext = {
    options,
    issuer,
    credentials,
    store: guarded,
    emit,
    namespace,
    tokens,
    storeClock,
    blocks: new BlockGate({
      store: guarded,
      clock,
      emit,
      fingerprint,
      invalidCredentialsBlockMs: options.invalidCredentialsBlockMs,
    }),
    gate: new RetryGate(),
    quota: new QuotaMemory(),
    closeSignal: closing.signal,
    unblockedAt: Number.NEGATIVE_INFINITY,
    phase: 'idle',
  };
  const refreshes = new SingleFlight<'refresh', HeldToken>();
  const recoveries = new SingleFlight<string, HeldToken>();
  const background = { failures: 0, notBefore: Number.NEGATIVE_INFINITY };
  let closed = false;

  const callerWait = <T>(
    shared: Promise<T>,
    request: RequestOptions | undefined,
    reason: WaitTraceContext['reason'] = 'token',
  ): Promise<T> =>
    waitAsCaller(shared, {
      clock,
      signal: request?.signal,
      timeoutMs: waitTimeoutMs,
      phase: () => ctx.phase,
      trace: { namespace: () => namespaceValue, reason },
    });

  const closedError = (): ConnexeaseAuthError =>
    new ConnexeaseAuthError('ABORTED', 'the token provider was closed');

  /** Joins the running refresh or starts one (foreground, or background when `background`). */
  const startRefresh = (isBackground: boolean): Promise<HeldToken> => {
    if (closed) return Promise.reject(closedError());
    const running = refreshes.get('refresh');
    if (running !== undefined) return running;
    const flight = refreshes.run('refresh', async () => {
      try {
        const token = await refreshToken(ctx, isBackground);
        background.failures = 0;
        background.notBefore = Number.NEGATIVE_INFINITY;
        return token;
      } catch (error) {
        if (isBackground) deferBackground(error);
        throw error;
      }
    });
    // A foreground refresh may adopt a stored token that is already due: refresh that one in the background.
    flight.then(
      (token) => {
        startWatch();
        const now = clock.now();
        if (!(now < token.refreshAt) && now < token.expiresAt) startBackground(now);
      },
      () => {},
    );
    return flight;
  };

  /** Once this replica holds a token: check the store periodically, so it notices a store that forgot (guarantee 10). */
  let watching = false;
  const startWatch = (): void => {
    if (watching || closed) return;
    watching = true;
    void namespace().then(
      (ns) => watchStore(ctx, ns),
      () => {
        watching = false;
      },
    );
  };

  /** Background refresh of a due token, unless one is running or a failure asked to wait. */
  const startBackground = (now: number): void => {
    if (closed || now < background.notBefore || refreshes.get('refresh') !== undefined) return;
    void startRefresh(true).catch(() => {});
  };

  /** After a failed background refresh: wait before the next try (never a tight loop). */
  const deferBackground = (error: unknown): void => {
    const now = clock.now();
    background.failures += 1;
    const backoff = Math.min(
      BACKGROUND_RETRY_MAX_MS,
      BACKGROUND_RETRY_BASE_MS * 2 ** Math.min(background.failures - 1, 20),
    );
    const jittered = backoff * (1 + 0.25 * options.random());
    const retryAt = isConnexeaseAuthError(error) ? error.retryAt : undefined;
    background.notBefore = Math.max(now + jittered, retryAt ?? Number.NEGATIVE_INFINITY);
  };

  const provider: JwtTokenProvider = {
    mode: 'jwt',

    get knownNamespace() {
      return namespaceValue;
    },

    async getAuthorization(request?: RequestOptions): Promise<string> {
      const signal = request?.signal;
      if (signal?.aborted) throw abortedError(signal);
      const held = tokens.held;
      if (held !== null) {
        const now = clock.now();
        // The hot path: no I/O, no await, while the token is not due.
        if (now < held.refreshAt) return held.authorization;
        if (now < held.expiresAt) {
          startBackground(now);
          return held.authorization;
        }
      }
      return (await callerWait(startRefresh(false), request)).authorization;
    },

    async handleUnauthorized(rejectedAuthorization: string, request?: UnauthorizedOptions): Promise<string> {
      const signal = request?.signal;
      if (signal?.aborted) throw abortedError(signal);
      const parsed = parseAuthorization(rejectedAuthorization);
      if (parsed === null || parsed.mode !== 'jwt') {
        // Not a value this provider hands out: refreshing on its account would spend quota for nothing.
        throw new ConnexeaseAuthError(
          'TOKEN_REJECTED',
          'handleUnauthorized() needs the rejected "JWT <token>" Authorization value this provider returned; ' +
            'the value given is not one, so nothing is refreshed',
          { status: 401 },
        );
      }
      if (request?.retried === true) {
        // Resent once with the token the first 401 led to, and refused again: the endpoint's doing (guarantee 12).
        emit({ type: 'token-rejected', ns: await namespace(), outcome: 'endpoint-refused' });
        throw refusedOnRetryError();
      }
      const held = tokens.held;
      if (held !== null && held.value !== parsed.token && clock.now() < held.expiresAt)
        return held.authorization;
      if (closed) throw closedError();
      const token = await callerWait(
        recoveries.run(parsed.token, () =>
          recoverFromUnauthorized(ctx, parsed.token, () => startRefresh(false)),
        ),
        request,
        'unauthorized',
      );
      return token.authorization;
    },

    async status(): Promise<AuthStatus> {
      const ns = await namespace();
      const { quota } = options;
      const [usage, lease, block, stored] = await Promise.all([
        storeClock.quotaUsage(guarded, ns, { windowMs: reservationWindowMs(options) }),
        guarded.readLease(ns),
        guarded.readBlock(ns),
        guarded.readToken(ns),
      ]);
      const now = clock.now();
      const held = tokens.held !== null && now < tokens.held.expiresAt ? tokens.held : null;
      const token = held ?? tokens.suitable(stored, 'usable', now);
      const summary = quotaSummary(usage.reservedAt, usage.now, {
        limit: quota.limit,
        windowMs: reservationWindowMs(options),
      });
      return {
        mode: 'jwt',
        namespace: ns,
        quota: { ...summary, windowMs: quota.windowMs },
        token:
          token === null
            ? null
            : { expiresAt: token.expiresAt, issuedAt: token.issuedAt, refreshAt: token.refreshAt },
        block:
          block === null
            ? null
            : {
                code: block.code,
                reason: block.reason,
                createdAt: block.createdAt,
                until: block.until ?? null,
                appliesToCurrentCredentials: await ctx.blocks.applies(block, now),
              },
        lease: lease === null ? null : { fence: lease.fence, expiresAt: lease.expiresAt },
      };
    },

    async unblock(): Promise<void> {
      const ns = await namespace();
      await guarded.clearBlock(ns);
      ctx.blocks.forget();
      ctx.unblockedAt = clock.now();
      background.failures = 0;
      background.notBefore = Number.NEGATIVE_INFINITY;
      emit({ type: 'unblocked', ns });
    },

    onEvent(listener: AuthEventListener): () => void {
      return events.on(listener);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      closing.abort(closedError());
      await Promise.allSettled([...refreshes.all(), ...recoveries.all()]);
    },
  };
  return provider;
}
