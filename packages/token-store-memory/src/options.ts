import type { TokenStore } from '@connexease-kit/auth-core';

/** Where the store reads the time. Every expiry, lease and quota decision uses `now()`. */
export interface MemoryClock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface MemoryTokenStoreOptions {
  /**
   * The store's clock. Default `Date.now()` (read on every call, so vitest fake timers apply even when
   * installed after the store was made). Inject a manual clock to run expiry and quota windows on
   * virtual time. Wait timeouts and polls still use `setTimeout`; under vitest fake timers both move
   * together.
   */
  clock?: MemoryClock;
  /**
   * The longest a `waitForToken` goes without re-reading the record. Writes and discards wake waiters at
   * once and a known token is re-checked when it is due, so this is a safety net (for instance for a
   * manual clock moved by hand). Default 1000 ms.
   */
  pollIntervalMs?: number;
  /**
   * The safety TTL of a block written without `ttlMs` (it stays until `clearBlock`, but no record may
   * live forever). Default 30 days.
   */
  blockSafetyTtlMs?: number;
  /**
   * How long the fence counter outlives the last lease grant. It also lives as long as any record of
   * the namespace, so a newly granted fence always exceeds the fence of any token still stored.
   * Default 24 hours.
   */
  fenceRetentionMs?: number;
}

/** One record of a namespace and the time it has left, as `inspectTtls` reports it. */
export interface RecordTtl {
  /** `token`, `lease`, `fence`, `quota`, `epoch` (the quota marker) or `block`. */
  key: 'token' | 'lease' | 'fence' | 'quota' | 'epoch' | 'block';
  /** Milliseconds until the record expires (store clock). Always finite: nothing lives forever. */
  ttlMs: number;
}

/** The in-process `TokenStore`, plus a view of record lifetimes for tests. */
export interface MemoryTokenStore extends TokenStore {
  /**
   * The records `ns` holds right now and the time each has left. For tests (the conformance suite's
   * `inspectTtls` hook) and debugging; never reveals a token value.
   */
  inspectTtls(ns: string): RecordTtl[];
  /**
   * The old name of {@link MemoryTokenStore.inspectTtls}, kept for one release.
   * @deprecated Use `inspectTtls(ns)`, the one name every connexease-kit store uses; `debugTtls` goes away in the next minor release.
   */
  debugTtls(ns: string): RecordTtl[];
  /**
   * Drops `ns`'s records as a backend that lost them would: `'everything'` (a restart without
   * persistence, a flush) or only `'quota'` (the quota entries; the marker that vouches for them
   * stays, as after an eviction of one key). For tests of guarantee 10 (the conformance suite's
   * `loseRecords` hook).
   */
  debugLoseRecords(ns: string, what: 'everything' | 'quota'): void;
  /**
   * How many namespaces the store holds in memory. Namespaces whose records all expired are dropped by
   * the store's next call (checked at most once a minute), so this stays bounded by the API users in
   * use: watch it in a service serving many.
   */
  readonly namespaceCount: number;
}
