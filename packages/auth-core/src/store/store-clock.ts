import type { Clock } from '../provider/provider-types.ts';
import type { QuotaUsage, TokenStore } from './contract.ts';

/**
 * This provider's estimate of the store's clock, for every time that crosses replicas.
 *
 * Replicas' clocks may differ by minutes; the store's clock (Redis `TIME`) is the one they share. A token
 * record's `issuedAt` and `expiresAt` are therefore written on the store's clock and turned back into
 * local times by each reader. The offset (store − local) is learnt from every `quotaUsage` answer, which
 * carries the store's `now`, taken against the midpoint of the call on the local clock (so the error is at
 * most half the round trip). The newest answer wins, so a stepped clock is followed at the next answer.
 *
 * A provider learns it on its first refresh (in parallel with its first token read, one extra store call
 * per process), again before every issue (the leader reads the quota anyway) and in `status()`; never on
 * the hot path. Until an answer arrives the offset is 0: the store's clock is taken for the local one,
 * which is what a store without a clock of its own (memory, file) is anyway.
 */
export class StoreClock {
  readonly #clock: Clock;
  readonly #onUsage: ((ns: string, usage: QuotaUsage) => void) | undefined;
  #offset: number | null = null;

  /** @param onUsage - Sees every `quotaUsage` answer read through this clock (the quota memory learns from them). */
  constructor(clock: Clock, onUsage?: (ns: string, usage: QuotaUsage) => void) {
    this.#clock = clock;
    this.#onUsage = onUsage;
  }

  /** Whether a store answer has been heard yet. */
  get known(): boolean {
    return this.#offset !== null;
  }

  /** Store clock − local clock, in whole milliseconds; 0 while unknown. */
  get offset(): number {
    return this.#offset ?? 0;
  }

  /** The store's time now, estimated from the local clock. */
  now(): number {
    return this.toStore(this.#clock.now());
  }

  /** A local time on the store's clock. */
  toStore(local: number): number {
    return local + this.offset;
  }

  /** A store-clock time on the local clock. */
  toLocal(storeTime: number): number {
    return storeTime - this.offset;
  }

  /** Notes that the store's clock read `storeNow` between local times `sentAt` and `receivedAt`. */
  observe(storeNow: number, sentAt: number, receivedAt: number): void {
    if (!Number.isFinite(storeNow) || !Number.isFinite(sentAt) || !Number.isFinite(receivedAt)) return;
    this.#offset = Math.round(storeNow - (sentAt + receivedAt) / 2);
  }

  /**
   * Learns the store's clock with one `quotaUsage` call if no answer has been heard yet; otherwise does
   * nothing. Never fails: without an answer the offset stays unknown (0), and the caller goes on.
   */
  async ensure(
    store: Pick<TokenStore, 'quotaUsage'>,
    ns: string,
    options: { windowMs: number },
  ): Promise<void> {
    if (this.known) return;
    await this.quotaUsage(store, ns, options).catch(() => {});
  }

  /** `store.quotaUsage(ns, options)`, learning the store's clock from its answer. */
  async quotaUsage(
    store: Pick<TokenStore, 'quotaUsage'>,
    ns: string,
    options: { windowMs: number },
  ): Promise<QuotaUsage> {
    const sentAt = this.#clock.now();
    const usage = await store.quotaUsage(ns, options);
    this.observe(usage.now, sentAt, this.#clock.now());
    this.#onUsage?.(ns, usage);
    return usage;
  }
}
