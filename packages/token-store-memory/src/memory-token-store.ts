import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  assertBlockRecord,
  assertLease,
  assertNamespace,
  assertNonNegativeMs,
  assertPositiveMs,
  assertQuotaRequest,
  assertQuotaRestoreRequest,
  assertTokenRecord,
  assertTokenValue,
  type BlockRecord,
  clearLossInQuota,
  copyBlockRecord,
  copyTokenRecord,
  type Lease,
  NamespaceListeners,
  PendingWaits,
  type QuotaDecision,
  type QuotaRequest,
  type QuotaRestoreRequest,
  type QuotaRules,
  type QuotaUsage,
  quotaUsageOf,
  reserveInQuota,
  restoreInQuota,
  type TokenRecord,
  type WaitOptions,
  waitForRecordChange,
} from '@connexease-kit/auth-core/store';
import { NamespaceState } from './namespace-state.ts';
import type { MemoryClock, MemoryTokenStore, MemoryTokenStoreOptions, RecordTtl } from './options.ts';

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_BLOCK_SAFETY_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_FENCE_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often (store clock) a call also drops namespaces nobody touched since their records expired. */
const SWEEP_INTERVAL_MS = 60 * 1000;

const systemClock: MemoryClock = { now: () => Date.now() };

/**
 * Creates an in-process `TokenStore`: one `Map` per process, shared by every provider that is given
 * the same instance. It keeps the contract (ownership, fencing, idempotent sliding-window quota,
 * expiry on every record, compare-and-delete, wake-ups) but only within this process: see the README
 * before using it where restarts or replicas exist.
 */
export function createMemoryTokenStore(options: MemoryTokenStoreOptions = {}): MemoryTokenStore {
  return new InMemoryTokenStore(options);
}

class InMemoryTokenStore implements MemoryTokenStore {
  readonly #clock: MemoryClock;
  readonly #pollIntervalMs: number;
  readonly #blockSafetyTtlMs: number;
  readonly #fenceRetentionMs: number;
  /** The quota marker lives as long as the fence counter: both vouch for records that may be gone. */
  readonly #quotaRules: QuotaRules;
  readonly #namespaces = new Map<string, NamespaceState>();
  readonly #listeners = new NamespaceListeners();
  readonly #pendingWaits = new PendingWaits();
  #lastSweepAt: number = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(options: MemoryTokenStoreOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#blockSafetyTtlMs = options.blockSafetyTtlMs ?? DEFAULT_BLOCK_SAFETY_TTL_MS;
    this.#fenceRetentionMs = options.fenceRetentionMs ?? DEFAULT_FENCE_RETENTION_MS;
    this.#quotaRules = { newEpoch: () => crypto.randomUUID(), markerRetentionMs: this.#fenceRetentionMs };
    assertPositiveMs(this.#pollIntervalMs, 'pollIntervalMs');
    assertPositiveMs(this.#blockSafetyTtlMs, 'blockSafetyTtlMs');
    assertPositiveMs(this.#fenceRetentionMs, 'fenceRetentionMs');
    if (typeof this.#clock?.now !== 'function') {
      throw new ConnexeaseAuthError('CONFIG_INVALID', 'Memory token store: clock must have a now() method');
    }
  }

  async readToken(ns: string): Promise<TokenRecord | null> {
    return this.#readTokenNow(ns);
  }

  async writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean> {
    assertLease(lease);
    assertTokenRecord(record);
    const { state, now } = this.#enter(ns);
    if (!this.#ownsLease(state, lease)) return false;
    // Defence in depth: even an owner never replaces a token written under a newer fence.
    if (state.token !== undefined && state.token.fence > lease.fence) return false;
    state.token = copyTokenRecord(record);
    state.keepFenceUntil(record.expiresAt);
    this.#release(ns, state, now);
    this.#listeners.notify(ns);
    return true;
  }

  async discardToken(ns: string, value: string): Promise<boolean> {
    assertTokenValue(value);
    const { state, now } = this.#enter(ns);
    if (state.token === undefined || state.token.value !== value) return false;
    state.token = undefined;
    this.#release(ns, state, now);
    this.#listeners.notify(ns);
    return true;
  }

  async acquireLease(ns: string, options: { ttlMs: number }): Promise<Lease | null> {
    assertPositiveMs(options?.ttlMs, 'acquireLease ttlMs');
    const { state, now } = this.#enter(ns);
    if (state.lease !== undefined) return null;
    state.fence += 1;
    const lease: Lease = { id: crypto.randomUUID(), fence: state.fence, expiresAt: now + options.ttlMs };
    state.lease = lease;
    state.keepFenceUntil(Math.max(lease.expiresAt, now + this.#fenceRetentionMs));
    return { ...lease };
  }

  async extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null> {
    assertLease(lease);
    assertPositiveMs(ttlMs, 'extendLease ttlMs');
    const { state, now } = this.#enter(ns);
    if (!this.#ownsLease(state, lease) || state.lease === undefined) return null;
    state.lease = { ...state.lease, expiresAt: now + ttlMs };
    state.keepFenceUntil(state.lease.expiresAt);
    return { ...state.lease };
  }

  async releaseLease(ns: string, lease: Lease): Promise<boolean> {
    assertLease(lease);
    const { state, now } = this.#enter(ns);
    if (!this.#ownsLease(state, lease)) return false;
    state.lease = undefined;
    this.#release(ns, state, now);
    return true;
  }

  async readLease(ns: string): Promise<Lease | null> {
    const { state, now } = this.#enter(ns);
    const lease = state.lease;
    this.#release(ns, state, now);
    return lease === undefined ? null : { ...lease };
  }

  async reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision> {
    assertQuotaRequest(request);
    const { state, now } = this.#enter(ns);
    const step = reserveInQuota(
      state.quota,
      request,
      now,
      this.#ownsLease(state, request.lease),
      this.#quotaRules,
    );
    state.quota = step.quota;
    this.#release(ns, state, now);
    return step.result;
  }

  async quotaUsage(ns: string, options: { windowMs: number }): Promise<QuotaUsage> {
    assertPositiveMs(options?.windowMs, 'quotaUsage windowMs');
    const { state, now } = this.#enter(ns);
    const usage = quotaUsageOf(state.quota, options.windowMs, now);
    this.#release(ns, state, now);
    return usage;
  }

  async restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage> {
    assertQuotaRestoreRequest(request);
    const { state, now } = this.#enter(ns);
    const step = restoreInQuota(state.quota, request, now, this.#quotaRules);
    state.quota = step.quota;
    this.#release(ns, state, now);
    return step.result;
  }

  async clearQuotaLoss(ns: string): Promise<boolean> {
    const { state, now } = this.#enter(ns);
    const step = clearLossInQuota(state.quota, now);
    state.quota = step.quota;
    this.#release(ns, state, now);
    return step.result;
  }

  async readBlock(ns: string): Promise<BlockRecord | null> {
    const { state, now } = this.#enter(ns);
    const block = state.block?.record;
    this.#release(ns, state, now);
    return block === undefined ? null : copyBlockRecord(block);
  }

  async writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void> {
    assertBlockRecord(block);
    if (ttlMs !== undefined) assertPositiveMs(ttlMs, 'writeBlock ttlMs');
    const { state, now } = this.#enter(ns);
    const expiresAt = now + (ttlMs ?? this.#blockSafetyTtlMs);
    state.block = { record: copyBlockRecord(block), expiresAt };
    state.keepFenceUntil(expiresAt);
  }

  async clearBlock(ns: string): Promise<void> {
    const { state, now } = this.#enter(ns);
    state.block = undefined;
    this.#release(ns, state, now);
  }

  async waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null> {
    this.#assertOpen();
    assertNamespace(ns);
    assertNonNegativeMs(options?.timeoutMs, 'waitForToken timeoutMs');
    return waitForRecordChange(options, {
      subscribe: (onChange) => ({ release: this.#listeners.subscribe(ns, () => onChange()) }),
      read: () => this.#readTokenNow(ns),
      pollIntervalMs: this.#pollIntervalMs,
      now: () => this.#clock.now(),
      onClose: this.#pendingWaits.onClose,
    });
  }

  inspectTtls(ns: string): RecordTtl[] {
    const { state, now } = this.#enter(ns);
    const ttls = state.ttls(now);
    this.#release(ns, state, now);
    return ttls;
  }

  /** @deprecated Use `inspectTtls`; kept for one release. */
  debugTtls(ns: string): RecordTtl[] {
    return this.inspectTtls(ns);
  }

  get namespaceCount(): number {
    return this.#namespaces.size;
  }

  debugLoseRecords(ns: string, what: 'everything' | 'quota'): void {
    const { state, now } = this.#enter(ns);
    if (what === 'everything') {
      this.#namespaces.delete(ns);
      return;
    }
    state.quota = { entries: [], marker: state.quota.marker };
    this.#release(ns, state, now);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new ConnexeaseAuthError('STORE_UNAVAILABLE', 'The memory token store was closed');
    this.#pendingWaits.rejectAll(error);
    this.#namespaces.clear();
  }

  #readTokenNow(ns: string): TokenRecord | null {
    const { state, now } = this.#enter(ns);
    const token = state.token;
    this.#release(ns, state, now);
    return token === undefined ? null : copyTokenRecord(token);
  }

  #ownsLease(state: NamespaceState, lease: Lease): boolean {
    return state.lease !== undefined && state.lease.id === lease.id && state.lease.fence === lease.fence;
  }

  /** Validates, reads the clock once, and returns the namespace with its expired records dropped. */
  #enter(ns: string): { state: NamespaceState; now: number } {
    this.#assertOpen();
    assertNamespace(ns);
    const now = this.#clock.now();
    this.#sweep(now);
    let state = this.#namespaces.get(ns);
    if (state === undefined) {
      state = new NamespaceState();
      this.#namespaces.set(ns, state);
    }
    state.purge(now);
    return { state, now };
  }

  /** Forgets the namespace when nothing in it is left, so reads never grow the map. */
  #release(ns: string, state: NamespaceState, now: number): void {
    if (state.isEmpty(now)) this.#namespaces.delete(ns);
  }

  /** Drops namespaces whose records all expired without anyone touching them again. */
  #sweep(now: number): void {
    if (now - this.#lastSweepAt < SWEEP_INTERVAL_MS) return;
    this.#lastSweepAt = now;
    for (const [ns, state] of this.#namespaces) {
      if (state.isEmpty(now)) this.#namespaces.delete(ns);
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new ConnexeaseAuthError('STORE_UNAVAILABLE', 'The memory token store is closed');
    }
  }
}
