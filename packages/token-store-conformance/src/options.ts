import type { TokenStore } from '@connexease-kit/auth-core';

/** The lifetime a backend reports for one of its keys. `null` (or a negative number) means "no expiry". */
export interface KeyTtl {
  /** The backend's key name (only used in failure messages). */
  key: string;
  /** Milliseconds left, or `null` when the key never expires. */
  ttlMs: number | null;
}

/** What the store under test can do; the suite adapts its expectations and timeouts to it. */
export interface ConformanceCapabilities {
  /**
   * Whose clock decides lease expiry and quota times. `'local'`: this process's `Date.now()` (the
   * memory store). `'store'`: the backend's own clock, e.g. Redis `TIME`. Default `'local'`.
   */
  clock?: 'local' | 'store';
  /**
   * How far the store's clock may differ from this process's clock, plus any rounding of the times it
   * returns. Widens comparisons between the two clocks and the deadlines of expiry tests. Default 0
   * for `'local'`, 1000 for `'store'`.
   */
  clockToleranceMs?: number;
  /**
   * `true` when `writeToken` wakes waiters by a push (in-process listeners, Redis pub/sub, PostgreSQL
   * `NOTIFY`), so a waiter must wake well before a 10 s timeout. `false` when waiters only poll: each
   * must then notice a write within `3 × pollIntervalMs + 5 s` (the suite's deadline: three poll
   * intervals plus 5 s of slack for slow machines). Default `false`.
   */
  notifications?: boolean;
  /**
   * The longest interval between two reads of a polling waiter, as the factory configures the store.
   * Sets the deadline for wake-ups when `notifications` is `false` and for changes nothing announces
   * (a discard): `3 × pollIntervalMs + 5 s`. Default 1000. Tip: with `notifications: true`, configure a long poll (say 60 s) in the factory so the
   * suite proves that notifications, not polls, wake the waiters.
   */
  pollIntervalMs?: number;
  /**
   * `true` when every store the factory returns shares one backend (separate Redis connections, the
   * same file), as separate processes would. The suite then also races several store instances against
   * each other and wakes a waiter on one instance by a write on another. Default `false`.
   */
  multiProcess?: boolean;
}

/** How `runTokenStoreConformance` is pointed at a store. */
export interface ConformanceOptions<S extends TokenStore = TokenStore> {
  /** Shown in the `describe` title, e.g. `'redis (standalone, RESP3)'`. */
  name: string;
  /**
   * Makes a ready store. Called at least once per test, several times where `multiProcess` tests need
   * instances; every store it returns is closed after the test. Each test uses fresh random namespaces,
   * so the stores may share a backend with other tests and other runs.
   */
  createStore: () => S | Promise<S>;
  capabilities?: ConformanceCapabilities;
  /**
   * Called for every store the factory made, after the test and after `store.close()`: release what
   * the factory created that the store does not own (say, the Redis connection you passed it). Records
   * need no cleanup: they carry TTLs and live under random namespaces.
   */
  cleanup?: (store: S) => void | Promise<void>;
  /**
   * Lists the backend keys that hold `ns`'s records with their remaining lifetime, read directly from
   * the backend (Redis `PTTL`, a file's expiry fields), or through a store's own `inspectTtls` method (every shipped store has one). When
   * given, the suite writes every kind of record and asserts each key has a finite, positive TTL. Leave
   * it out only if the backend cannot be inspected: "no key without a TTL" then goes untested.
   */
  inspectTtls?: (ns: string, store: S) => KeyTtl[] | Promise<KeyTtl[]>;
  /**
   * Makes the backend lose `ns`'s records as a real one can (guarantee 10): `'everything'` as after a
   * restart without persistence or a flush (token, lease, fence, quota entries and their marker), or
   * only `'quota'`: the quota entries, keeping the marker beside them (the epoch), as after the eviction
   * or deletion of that one key. When given, the suite proves the store then never reports a free past
   * it cannot vouch for, and that remembered entries bring the window back.
   */
  loseRecords?: (ns: string, store: S, what: 'everything' | 'quota') => void | Promise<void>;
  /** How many store instances race in `multiProcess` contention tests. Default 4. */
  instances?: number;
  /**
   * Per-test timeout in ms, on top of the time a test deliberately waits (its longest wait timeout).
   * Raise it for slow remote backends. Default 20 000.
   */
  timeoutMs?: number;
}

/** The options with every default applied. */
export interface ResolvedConformance<S extends TokenStore> {
  name: string;
  createStore: () => S | Promise<S>;
  cleanup: ((store: S) => void | Promise<void>) | undefined;
  inspectTtls: ((ns: string, store: S) => KeyTtl[] | Promise<KeyTtl[]>) | undefined;
  loseRecords: ((ns: string, store: S, what: 'everything' | 'quota') => void | Promise<void>) | undefined;
  clock: 'local' | 'store';
  clockToleranceMs: number;
  notifications: boolean;
  pollIntervalMs: number;
  multiProcess: boolean;
  instances: number;
  timeoutMs: number;
  /** How long a waiter may take to notice a write before the suite calls it a miss. */
  wakeTimeoutMs: number;
  /** How long a waiter may take to notice a change only a poll finds (no notification promised). */
  pollWakeTimeoutMs: number;
  /** Added to every "wait until it expired" deadline. */
  expiryGraceMs: number;
}

/** The wait timeout that must never be reached when a notification wakes a waiter. */
const NOTIFIED_WAKE_TIMEOUT_MS = 10_000;
/** Slack for slow machines on top of any deadline the suite waits for. */
const EXPIRY_GRACE_MS = 5_000;

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`runTokenStoreConformance: ${field} must be a positive number`);
  }
  return value;
}

export function resolveOptions<S extends TokenStore>(options: ConformanceOptions<S>): ResolvedConformance<S> {
  if (typeof options?.name !== 'string' || options.name.length === 0) {
    throw new TypeError('runTokenStoreConformance: name must be a non-empty string');
  }
  if (typeof options.createStore !== 'function') {
    throw new TypeError('runTokenStoreConformance: createStore must be a function returning a TokenStore');
  }
  const capabilities = options.capabilities ?? {};
  const clock = capabilities.clock ?? 'local';
  const clockToleranceMs = capabilities.clockToleranceMs ?? (clock === 'store' ? 1000 : 0);
  if (!Number.isFinite(clockToleranceMs) || clockToleranceMs < 0) {
    throw new TypeError('runTokenStoreConformance: capabilities.clockToleranceMs must be >= 0');
  }
  const notifications = capabilities.notifications ?? false;
  const pollIntervalMs = positive(capabilities.pollIntervalMs, 1000, 'capabilities.pollIntervalMs');
  const instances = positive(options.instances, 4, 'instances');
  if (!Number.isInteger(instances) || instances < 2) {
    throw new TypeError('runTokenStoreConformance: instances must be an integer of at least 2');
  }
  return {
    name: options.name,
    createStore: options.createStore,
    cleanup: options.cleanup,
    inspectTtls: options.inspectTtls,
    loseRecords: options.loseRecords,
    clock,
    clockToleranceMs,
    notifications,
    pollIntervalMs,
    multiProcess: capabilities.multiProcess ?? false,
    instances,
    timeoutMs: positive(options.timeoutMs, 20_000, 'timeoutMs'),
    wakeTimeoutMs: notifications ? NOTIFIED_WAKE_TIMEOUT_MS : pollIntervalMs * 3 + EXPIRY_GRACE_MS,
    pollWakeTimeoutMs: pollIntervalMs * 3 + EXPIRY_GRACE_MS,
    expiryGraceMs: EXPIRY_GRACE_MS + clockToleranceMs,
  };
}
