import type { ResolvedProviderOptions } from '../config.ts';
import type { PasswordCredentials } from '../credentials.ts';
import type { AuthEvent } from '../diagnostics/events.ts';
import type { JwtIssuer } from '../issuer/issuer.ts';
import type { QuotaMemory } from '../quota/quota-memory.ts';
import type { StoreClock } from '../store/store-clock.ts';
import type { GuardedStore } from '../store/store-guard.ts';
import type { BlockGate } from './block-gate.ts';
import type { TokenCache } from './held-token.ts';
import type { RetryGate } from './retry-gate.ts';

/** What a refresh is doing right now; only used to explain a caller's `TIMEOUT`. */
export type RefreshPhase = 'idle' | 'waiting' | 'issuing';

/**
 * The refresh's current phase, kept in one place: the refresh steps announce where they are, the
 * caller wait reads it to explain a `TIMEOUT`.
 */
export class PhaseTracker {
  #current: RefreshPhase = 'idle';

  get current(): RefreshPhase {
    return this.#current;
  }

  enter(phase: RefreshPhase): void {
    this.#current = phase;
  }
}

/** Everything the JWT provider's parts share: settings, the guarded store and the in-memory state. */
export interface JwtContext {
  readonly options: ResolvedProviderOptions;
  readonly issuer: JwtIssuer;
  readonly credentials: PasswordCredentials;
  readonly store: GuardedStore;
  readonly emit: (event: AuthEvent) => void;
  /** The store namespace, computed once. */
  readonly namespace: () => Promise<string>;
  readonly tokens: TokenCache;
  /** The store's clock as this replica estimates it: token records' times are on it. */
  readonly storeClock: StoreClock;
  readonly blocks: BlockGate;
  /** The newest quota record this replica saw (guarantee 10). */
  readonly quota: QuotaMemory;
  /** Local fail-fast for a spent quota or a fleet outage backoff. */
  readonly gate: RetryGate;
  /** Aborts when the provider closes. */
  readonly closeSignal: AbortSignal;
  /** What the running refresh is doing; written only through {@link PhaseTracker.enter}. */
  readonly phase: PhaseTracker;
  /** When (local clock) `unblock()` was last called here: attempts before it were answered by the block. */
  readonly unblockedAt: () => number;
}
