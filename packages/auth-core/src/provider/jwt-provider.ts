import { abortedError } from '../abort.ts';
import type { ResolvedProviderOptions } from '../config.ts';
import type { PasswordCredentials } from '../credentials.ts';
import type { WaitTraceContext } from '../diagnostics/diagnostics.ts';
import { EventHub } from '../diagnostics/event-hub.ts';
import type { AuthEventListener } from '../diagnostics/events.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import type { JwtIssuer } from '../issuer/issuer.ts';
import { QuotaMemory } from '../quota/quota-memory.ts';
import type { TokenStore } from '../store/contract.ts';
import { StoreClock } from '../store/store-clock.ts';
import { guardStore } from '../store/store-guard.ts';
import { parseAuthorization } from '../token/schemes.ts';
import { BlockGate } from './block-gate.ts';
import { waitAsCaller } from './caller-wait.ts';
import { type HeldToken, TokenCache } from './held-token.ts';
import { type JwtContext, PhaseTracker } from './jwt-context.ts';
import { readJwtStatus } from './jwt-status.ts';
import { NamespaceMemo } from './namespace-memo.ts';
import type {
  AuthStatus,
  Clock,
  RequestOptions,
  TokenProvider,
  UnauthorizedOptions,
} from './provider-types.ts';
import { RefreshScheduler } from './refresh-scheduler.ts';
import { RetryGate } from './retry-gate.ts';
import { SingleFlight } from './single-flight.ts';
import { learnQuota } from './store-watch.ts';
import { recoverFromUnauthorized, refusedOnRetryError } from './unauthorized.ts';

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
  const { issuer, store } = options;
  if (issuer === undefined || store === undefined) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      'issuer and store are required with { username, password }',
    );
  }
  return new JwtProvider(options, issuer, store);
}

const closedError = (): ConnexeaseAuthError =>
  new ConnexeaseAuthError('ABORTED', 'the token provider was closed');

/**
 * The provider's state lives here, in private fields: the shared context its parts read, the
 * refresh scheduler, the 401 recoveries, and whether it is closed. Each method is one step.
 */
class JwtProvider implements JwtTokenProvider {
  readonly mode = 'jwt' as const;
  readonly #ctx: JwtContext;
  // The hot path's two reads, one field away.
  readonly #tokens: TokenCache;
  readonly #clock: Clock;
  readonly #events = new EventHub();
  readonly #names: NamespaceMemo;
  readonly #closing = new AbortController();
  readonly #scheduler: RefreshScheduler;
  readonly #recoveries = new SingleFlight<string, HeldToken>();
  #unblockedAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(options: ResolvedProviderOptions, issuer: JwtIssuer, store: TokenStore) {
    if (options.onEvent !== undefined) this.#events.on(options.onEvent);
    this.#names = new NamespaceMemo(options.baseUrl, options.credentials as PasswordCredentials);
    this.#ctx = this.#createContext(options, issuer, store);
    this.#tokens = this.#ctx.tokens;
    this.#clock = options.clock;
    this.#scheduler = new RefreshScheduler(this.#ctx, closedError);
  }

  get knownNamespace(): string | null {
    return this.#names.known;
  }

  async getAuthorization(request?: RequestOptions): Promise<string> {
    const signal = request?.signal;
    if (signal?.aborted) throw abortedError(signal);
    const held = this.#tokens.held;
    if (held !== null) {
      const now = this.#clock.now();
      // The hot path: no I/O, no await, while the token is not due.
      if (now < held.refreshAt) return held.authorization;
      if (now < held.expiresAt) {
        this.#scheduler.startBackground(now);
        return held.authorization;
      }
    }
    return (await this.#callerWait(this.#scheduler.start(false), request)).authorization;
  }

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
      this.#ctx.emit({
        type: 'token-rejected',
        ns: await this.#names.namespace(),
        outcome: 'endpoint-refused',
      });
      throw refusedOnRetryError();
    }
    const held = this.#ctx.tokens.held;
    if (held !== null && held.value !== parsed.token && this.#ctx.options.clock.now() < held.expiresAt)
      return held.authorization;
    if (this.#closed) throw closedError();
    const recovery = this.#recoveries.run(parsed.token, () =>
      recoverFromUnauthorized(this.#ctx, parsed.token, () => this.#scheduler.start(false)),
    );
    return (await this.#callerWait(recovery, request, 'unauthorized')).authorization;
  }

  async status(): Promise<AuthStatus> {
    return readJwtStatus(this.#ctx, await this.#names.namespace());
  }

  async unblock(): Promise<void> {
    const ns = await this.#names.namespace();
    await this.#ctx.store.clearBlock(ns);
    this.#ctx.blocks.forget();
    this.#unblockedAt = this.#ctx.options.clock.now();
    this.#scheduler.resetBackoff();
    this.#ctx.emit({ type: 'unblocked', ns });
  }

  onEvent(listener: AuthEventListener): () => void {
    return this.#events.on(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(closedError());
    await Promise.allSettled([...this.#scheduler.close(), ...this.#recoveries.all()]);
  }

  /** What the provider's parts share: settings, the guarded store and the in-memory state. */
  #createContext(options: ResolvedProviderOptions, issuer: JwtIssuer, store: TokenStore): JwtContext {
    const emit = this.#events.emit.bind(this.#events);
    const guarded = guardStore({ store, emit, signal: this.#closing.signal });
    // Every quota answer read through the store clock teaches this replica the fleet's quota record.
    const storeClock = new StoreClock(options.clock, (_ns, usage) => learnQuota(ctx, usage));
    const ctx: JwtContext = {
      options,
      issuer,
      credentials: options.credentials as PasswordCredentials,
      store: guarded,
      emit,
      namespace: () => this.#names.namespace(),
      tokens: new TokenCache(options.refreshBeforeExpiryMs, storeClock),
      storeClock,
      blocks: new BlockGate({
        store: guarded,
        clock: options.clock,
        emit,
        fingerprint: () => this.#names.fingerprint(),
        invalidCredentialsBlockMs: options.invalidCredentialsBlockMs,
      }),
      gate: new RetryGate(),
      quota: new QuotaMemory(),
      closeSignal: this.#closing.signal,
      phase: new PhaseTracker(),
      unblockedAt: () => this.#unblockedAt,
    };
    return ctx;
  }

  #callerWait<T>(
    shared: Promise<T>,
    request: RequestOptions | undefined,
    reason: WaitTraceContext['reason'] = 'token',
  ): Promise<T> {
    return waitAsCaller(shared, {
      clock: this.#ctx.options.clock,
      signal: request?.signal,
      timeoutMs: this.#ctx.options.waitTimeoutMs,
      phase: () => this.#ctx.phase.current,
      trace: { namespace: () => this.#names.known, reason },
    });
  }
}
