import type { TokenStore } from '@connexease-kit/auth-core';
import { describe, expect } from 'vitest';
import { bannedBlock, mustAcquire, tokenRecord } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import type { KeyTtl } from '../options.ts';
import { randomNamespace } from '../random-namespace.ts';

function expectEveryKeyExpires(ttls: KeyTtl[]): void {
  for (const { key, ttlMs } of ttls) {
    expect(ttlMs, `TTL of ${key}`).not.toBeNull();
    expect(Number.isFinite(ttlMs), `TTL of ${key} is finite`).toBe(true);
    expect(ttlMs, `TTL of ${key}`).toBeGreaterThan(0);
  }
}

/** "No key without a TTL", checked on the backend through the `inspectTtls` hook. */
export function describeTtls<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  const inspectTtls = settings.inspectTtls;
  if (inspectTtls === undefined) return;

  describe('TTL on every record', () => {
    it('after writing a token, a lease, a reservation and a block, every key has a finite positive TTL', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      await store.writeToken(ns, lease, tokenRecord(lease));
      await store.extendLease(ns, lease, 120_000);
      await store.reserveIssue(ns, { id: 'r', limit: 5, windowMs: 60_000, lease });
      // Without a ttl: stays until clearBlock, yet the store must still bound it by a safety TTL.
      await store.writeBlock(ns, bannedBlock());

      const ttls = await inspectTtls(ns, store);
      expect(ttls.length, 'token, lease, quota, epoch and block keys reported').toBeGreaterThanOrEqual(5);
      expectEveryKeyExpires(ttls);
    });

    it('keys left after release, discard and clearBlock still have finite positive TTLs', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const record = tokenRecord(lease);
      await store.writeToken(ns, lease, record);
      await store.reserveIssue(ns, { id: 'r', limit: 5, windowMs: 60_000, lease });
      await store.writeBlock(ns, bannedBlock(), 60_000);
      await store.releaseLease(ns, lease);
      await store.discardToken(ns, record.value);
      await store.clearBlock(ns);

      const ttls = await inspectTtls(ns, store);
      expect(ttls.length, 'the quota key is still reported').toBeGreaterThanOrEqual(1);
      expectEveryKeyExpires(ttls);
    });
  });
}
