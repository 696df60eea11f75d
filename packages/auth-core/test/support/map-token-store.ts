import type { TokenStore } from '@connexease-kit/auth-core';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import type { BlockRecord, Lease, TokenRecord, WaitOptions } from '@connexease-kit/auth-core/store';
import {
  clearLossInQuota,
  emptyQuota,
  type QuotaRules,
  quotaUsageOf,
  reserveInQuota,
  restoreInQuota,
  type StoredQuota,
} from '@connexease-kit/auth-core/store';

/**
 * A minimal Map-based TokenStore for auth-core's own unit tests (encryption wrapper, option checks).
 * Not a reference implementation: no TTLs, one process. `raw` exposes stored records so tests can
 * tamper with them.
 */
export interface MapTokenStore extends TokenStore {
  raw: Map<string, TokenRecord>;
}

export function createMapTokenStore(): MapTokenStore {
  const raw = new Map<string, TokenRecord>();
  const leases = new Map<string, Lease>();
  const fences = new Map<string, number>();
  const quota = new Map<string, StoredQuota>();
  const rules: QuotaRules = { newEpoch: () => crypto.randomUUID() };
  const blocks = new Map<string, BlockRecord>();
  const waiters = new Set<() => void>();
  let leaseCounter = 0;
  const notify = () => {
    for (const wake of [...waiters]) wake();
  };
  const same = (a: TokenRecord | null, b: TokenRecord | null) =>
    a === b || (a !== null && b !== null && a.value === b.value && a.fence === b.fence);

  return {
    raw,
    async readToken(ns) {
      return raw.get(ns) ?? null;
    },
    async writeToken(ns, lease, record) {
      const held = leases.get(ns);
      if (held?.id !== lease.id || lease.fence !== fences.get(ns)) return false;
      raw.set(ns, { ...record });
      notify();
      return true;
    },
    async discardToken(ns, value) {
      if (raw.get(ns)?.value !== value) return false;
      raw.delete(ns);
      notify();
      return true;
    },
    async acquireLease(ns, { ttlMs }) {
      const held = leases.get(ns);
      if (held !== undefined && held.expiresAt > Date.now()) return null;
      const fence = (fences.get(ns) ?? 0) + 1;
      fences.set(ns, fence);
      const lease = { id: `lease-${++leaseCounter}`, fence, expiresAt: Date.now() + ttlMs };
      leases.set(ns, lease);
      return lease;
    },
    async extendLease(ns, lease, ttlMs) {
      if (leases.get(ns)?.id !== lease.id) return null;
      const extended = { ...lease, expiresAt: Date.now() + ttlMs };
      leases.set(ns, extended);
      return extended;
    },
    async releaseLease(ns, lease) {
      if (leases.get(ns)?.id !== lease.id) return false;
      leases.delete(ns);
      return true;
    },
    async readLease(ns) {
      return leases.get(ns) ?? null;
    },
    async reserveIssue(ns, request) {
      const held = leases.get(ns);
      const current = held?.id === request.lease.id && request.lease.fence === fences.get(ns);
      const step = reserveInQuota(quota.get(ns) ?? emptyQuota(), request, Date.now(), current, rules);
      quota.set(ns, step.quota);
      return step.result;
    },
    async quotaUsage(ns, { windowMs }) {
      return quotaUsageOf(quota.get(ns) ?? emptyQuota(), windowMs, Date.now());
    },
    async restoreQuota(ns, request) {
      const step = restoreInQuota(quota.get(ns) ?? emptyQuota(), request, Date.now(), rules);
      quota.set(ns, step.quota);
      return step.result;
    },
    async clearQuotaLoss(ns) {
      const step = clearLossInQuota(quota.get(ns) ?? emptyQuota(), Date.now());
      quota.set(ns, step.quota);
      return step.result;
    },
    async readBlock(ns) {
      return blocks.get(ns) ?? null;
    },
    async writeBlock(ns, block) {
      blocks.set(ns, block);
    },
    async clearBlock(ns) {
      blocks.delete(ns);
    },
    waitForToken(ns, options: WaitOptions) {
      return new Promise<TokenRecord | null>((resolve, reject) => {
        const current = () => raw.get(ns) ?? null;
        if (!same(current(), options.known)) {
          resolve(current());
          return;
        }
        const finish = () => {
          waiters.delete(check);
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        };
        const check = () => {
          if (same(current(), options.known)) return;
          finish();
          resolve(current());
        };
        const onAbort = () => {
          finish();
          reject(new ConnexeaseAuthError('ABORTED', 'wait aborted'));
        };
        const timer = setTimeout(() => {
          finish();
          resolve(current());
        }, options.timeoutMs);
        waiters.add(check);
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async close() {
      notify();
    },
  };
}
