import { isConnexeaseAuthError, type TokenStore } from '@connexease-kit/auth-core';
import {
  isSameTokenRecord,
  type Lease,
  type TokenRecord,
  type WaitOptions,
} from '@connexease-kit/auth-core/store';
import type { KeyTtl } from '@connexease-kit/token-store-conformance';
import { createMemoryTokenStore, type MemoryTokenStore } from '../../src/index.ts';

/** A memory store with one planted bug, and the conformance tests that must catch it. */
export interface Sabotage {
  name: string;
  /** Titles (exact) of conformance tests that must fail against this store. */
  mustFail: string[];
  createStore(): MemoryTokenStore;
  inspectTtls?(ns: string, store: MemoryTokenStore): KeyTtl[];
  loseRecords?(ns: string, store: MemoryTokenStore, what: 'everything' | 'quota'): void;
}

/** Every method of `inner`, with `overrides` in place of some. */
function withOverrides(inner: MemoryTokenStore, overrides: Partial<TokenStore>): MemoryTokenStore {
  return {
    readToken: (ns) => inner.readToken(ns),
    writeToken: (ns, lease, record) => inner.writeToken(ns, lease, record),
    discardToken: (ns, value) => inner.discardToken(ns, value),
    acquireLease: (ns, options) => inner.acquireLease(ns, options),
    extendLease: (ns, lease, ttlMs) => inner.extendLease(ns, lease, ttlMs),
    releaseLease: (ns, lease) => inner.releaseLease(ns, lease),
    readLease: (ns) => inner.readLease(ns),
    reserveIssue: (ns, request) => inner.reserveIssue(ns, request),
    quotaUsage: (ns, options) => inner.quotaUsage(ns, options),
    restoreQuota: (ns, request) => inner.restoreQuota(ns, request),
    clearQuotaLoss: (ns) => inner.clearQuotaLoss(ns),
    readBlock: (ns) => inner.readBlock(ns),
    writeBlock: (ns, block, ttlMs) => inner.writeBlock(ns, block, ttlMs),
    clearBlock: (ns) => inner.clearBlock(ns),
    waitForToken: (ns, options) => inner.waitForToken(ns, options),
    close: () => inner.close(),
    inspectTtls: (ns) => inner.inspectTtls(ns),
    debugTtls: (ns) => inner.inspectTtls(ns),
    debugLoseRecords: (ns, what) => inner.debugLoseRecords(ns, what),
    get namespaceCount() {
      return inner.namespaceCount;
    },
    ...overrides,
  };
}

function sabotaged(overrides: (inner: MemoryTokenStore) => Partial<TokenStore>): () => MemoryTokenStore {
  return () => {
    const inner = createMemoryTokenStore({ pollIntervalMs: 60_000 });
    return withOverrides(inner, overrides(inner));
  };
}

/** Reports every fence as 1 while the real store keeps its own: grants look like they never increase. */
function constantFence(inner: MemoryTokenStore): Partial<TokenStore> {
  const realFence = new Map<string, number>();
  const real = (lease: Lease): Lease => ({ ...lease, fence: realFence.get(lease.id) ?? lease.fence });
  const shown = (lease: Lease | null): Lease | null => (lease === null ? null : { ...lease, fence: 1 });
  return {
    acquireLease: async (ns, options) => {
      const lease = await inner.acquireLease(ns, options);
      if (lease !== null) realFence.set(lease.id, lease.fence);
      return shown(lease);
    },
    readLease: async (ns) => shown(await inner.readLease(ns)),
    extendLease: async (ns, lease, ttlMs) => shown(await inner.extendLease(ns, real(lease), ttlMs)),
    releaseLease: (ns, lease) => inner.releaseLease(ns, real(lease)),
    writeToken: (ns, lease, record) =>
      inner.writeToken(ns, real(lease), { ...record, fence: real(lease).fence }),
  };
}

/** Reads first and only then subscribes: a write landing in between is not seen until the next change. */
function readsBeforeSubscribing(inner: MemoryTokenStore): Partial<TokenStore> {
  return {
    waitForToken: async (ns, options) => {
      const first = await inner.readToken(ns);
      if (!isSameTokenRecord(first, options.known)) return first;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the subscription becomes active only now
      return inner.waitForToken(ns, { ...options, known: await inner.readToken(ns) });
    },
  };
}

/** Wakes on writes only: when the known token expires, the waiter sleeps on until a write or its timeout. */
function ignoresExpiry(inner: MemoryTokenStore): Partial<TokenStore> {
  return {
    waitForToken: async (ns, options: WaitOptions) => {
      const deadline = Date.now() + options.timeoutMs;
      let known: TokenRecord | null = options.known;
      for (;;) {
        const timeoutMs = deadline - Date.now();
        if (timeoutMs <= 0) return inner.readToken(ns);
        const current = await inner.waitForToken(ns, { ...options, known, timeoutMs });
        if (current !== null || known === null) return current;
        known = null; // the token expired: the planted bug waits for the next write instead of answering
      }
    },
  };
}

/** Resolves a pending waiter with `null` when the store closes, instead of rejecting it. */
function closeResolvesWaiters(inner: MemoryTokenStore): Partial<TokenStore> {
  return {
    waitForToken: (ns, options) =>
      inner.waitForToken(ns, options).catch((error: unknown) => {
        if (isConnexeaseAuthError(error, 'STORE_UNAVAILABLE')) return null;
        throw error;
      }),
  };
}

/** Keeps a record whose `expiresAt` has passed beside the store and reads it back. */
function keepsExpiredWrites(inner: MemoryTokenStore): Partial<TokenStore> {
  const expired = new Map<string, TokenRecord>();
  return {
    writeToken: async (ns, lease, record) => {
      const written = await inner.writeToken(ns, lease, record);
      if (written && record.expiresAt <= Date.now()) expired.set(ns, record);
      return written;
    },
    readToken: async (ns) => (await inner.readToken(ns)) ?? expired.get(ns) ?? null,
  };
}

/** Remembers every id it saw, denied ones too, and answers a repeated id as granted. */
function remembersDeniedIds(inner: MemoryTokenStore): Partial<TokenStore> {
  const seen = new Set<string>();
  return {
    reserveIssue: async (ns, request) => {
      const decision = await inner.reserveIssue(ns, request);
      const key = `${ns}\n${request.id}`;
      if (decision.granted || !seen.has(key)) {
        seen.add(key);
        return decision;
      }
      const { denied: _denied, retryAt: _retryAt, ...rest } = decision;
      return { ...rest, granted: true };
    },
  };
}

export const control: Sabotage = {
  name: 'control (no bug)',
  mustFail: [],
  createStore: () => createMemoryTokenStore({ pollIntervalMs: 60_000 }),
  inspectTtls: (ns, store) => store.inspectTtls(ns),
};

export const sabotages: Sabotage[] = [
  {
    name: 'releaseLease ignores the owner',
    mustFail: ['releaseLease by a non-owner returns false and the lease stays held'],
    createStore: sabotaged((inner) => ({
      releaseLease: async (ns) => {
        const holder = await inner.readLease(ns);
        return holder !== null && inner.releaseLease(ns, holder);
      },
    })),
  },
  {
    name: 'acquireLease checks, then acts',
    mustFail: ['20 concurrent acquireLease calls on one instance: exactly one wins'],
    createStore: sabotaged((inner) => ({
      acquireLease: async (ns, options) => {
        if ((await inner.readLease(ns)) !== null) return null;
        const lease = await inner.acquireLease(ns, options);
        return lease ?? { id: crypto.randomUUID(), fence: 0, expiresAt: Date.now() + options.ttlMs };
      },
    })),
  },
  {
    name: 'fences never increase',
    mustFail: ['fences strictly increase across grants, after release and after expiry'],
    createStore: sabotaged(constantFence),
  },
  {
    name: 'reserveIssue is not idempotent',
    mustFail: [
      'reserveIssue is idempotent by id: a repeated id counts once and answers granted',
      'the same id reserved concurrently counts once',
    ],
    createStore: sabotaged((inner) => ({
      reserveIssue: (ns, request) =>
        inner.reserveIssue(ns, { ...request, id: `${request.id}#${Math.random()}` }),
    })),
  },
  {
    name: 'reserveIssue checks, then acts',
    mustFail: ['50 concurrent reservers against a limit of 30 on one instance: exactly 30 granted'],
    createStore: sabotaged((inner) => ({
      reserveIssue: async (ns, request) => {
        const { used } = await inner.quotaUsage(ns, { windowMs: request.windowMs });
        if (used >= request.limit) return inner.reserveIssue(ns, request);
        const decision = await inner.reserveIssue(ns, { ...request, limit: Number.MAX_SAFE_INTEGER });
        return { ...decision, limit: request.limit };
      },
    })),
  },
  {
    name: 'reserveIssue ignores the lease',
    mustFail: [
      'a released lease is refused with denied: lease, and nothing is counted',
      'a lease with the right id but another fence is refused',
    ],
    createStore: sabotaged((inner) => ({
      reserveIssue: async (ns, request) => {
        const lease = (await inner.readLease(ns)) ?? (await inner.acquireLease(ns, { ttlMs: 60_000 }));
        return inner.reserveIssue(ns, { ...request, lease: lease ?? request.lease });
      },
    })),
  },
  {
    name: 'reserveIssue ignores the entries a replica remembers',
    mustFail: [
      'known entries sent with reserveIssue are re-added once and count against the limit',
      'lost everything: no epoch and no entries (it cannot know); a replica that remembers restores them',
    ],
    createStore: sabotaged((inner) => ({
      reserveIssue: (ns, { known: _ignored, ...request }) => inner.reserveIssue(ns, request),
    })),
  },
  {
    name: 'the quota marker is lost with the entries (an empty quota reads as a free past)',
    mustFail: ['lost only the quota entries: the past counts as spent until the newest lost entry ages out'],
    createStore: () => createMemoryTokenStore({ pollIntervalMs: 60_000 }),
    loseRecords: (ns, store, what) => {
      store.debugLoseRecords(ns, what);
      // The bug: the store keeps no record that could vouch for the lost entries.
      if (what === 'quota') store.debugLoseRecords(ns, 'everything');
    },
  },
  {
    name: 'discardToken deletes without comparing',
    mustFail: ['discardToken with another value returns false and the current token stays'],
    createStore: sabotaged((inner) => ({
      discardToken: async (ns) => {
        const current = await inner.readToken(ns);
        return current !== null && inner.discardToken(ns, current.value);
      },
    })),
  },
  {
    name: 'waitForToken never waits',
    mustFail: [
      'waitForToken wakes by notification, well before its timeout when the same instance writes a new token',
      'a write to another namespace does not end the wait',
    ],
    createStore: sabotaged((inner) => ({ waitForToken: (ns) => inner.readToken(ns) })),
  },
  {
    name: 'waitForToken reads before its subscription is active',
    mustFail: [
      'waitForToken on a fresh instance wakes by notification, well before its timeout for a write made right after the wait starts (no lost wake-up)',
    ],
    createStore: sabotaged(readsBeforeSubscribing),
  },
  {
    name: 'waiters do not wake when the known token expires',
    mustFail: ['waitForToken wakes with null when the known token expires, before its own timeout'],
    createStore: sabotaged(ignoresExpiry),
  },
  {
    name: 'a block without ttl has no TTL',
    mustFail: [
      'after writing a token, a lease, a reservation and a block, every key has a finite positive TTL',
    ],
    createStore: () => createMemoryTokenStore({ pollIntervalMs: 60_000 }),
    inspectTtls: (ns, store) =>
      store.inspectTtls(ns).map((entry) => (entry.key === 'block' ? { key: entry.key, ttlMs: null } : entry)),
  },
  {
    name: 'close resolves pending waiters instead of rejecting them',
    mustFail: ['close rejects a pending waitForToken with a STORE_UNAVAILABLE ConnexeaseAuthError'],
    createStore: sabotaged(closeResolvesWaiters),
  },
  {
    name: 'an already expired token reads back',
    mustFail: ['writeToken with an expiresAt already past never leaves that record readable'],
    createStore: sabotaged(keepsExpiredWrites),
  },
  {
    name: 'a denied reservation id is remembered as granted',
    mustFail: [
      'a denied id is not remembered: repeated while the window is full it is denied again, and counts once granted',
    ],
    createStore: sabotaged(remembersDeniedIds),
  },
];

/** Every test title some sabotage must fail: the control store must pass all of them. */
export const watchedTitles: string[] = [...new Set(sabotages.flatMap((sabotage) => sabotage.mustFail))];
